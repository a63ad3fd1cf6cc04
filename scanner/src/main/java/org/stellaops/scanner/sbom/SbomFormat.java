package org.stellaops.scanner.sbom;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.stellaops.scanner.ScanException;

/** Output formats of {@code stella scan --format}. */
public enum SbomFormat {
    CYCLONEDX_JSON("cyclonedx-json"), SPDX_JSON("spdx-json"), CYCLONEDX_PROTOBUF("cyclonedx-protobuf");

    private final String id;

    SbomFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static SbomFormat parse(String s) {
        for (SbomFormat f : values()) {
            if (f.id.equals(s) || (f == CYCLONEDX_JSON && ("cdx-json".equals(s) || "cyclonedx".equals(s)))
                    || (f == SPDX_JSON && "spdx".equals(s)) || (f == CYCLONEDX_PROTOBUF && "cdx-protobuf".equals(s))) {
                return f;
            }
        }
        throw new ScanException(ScanException.Kind.INVALID_ARGUMENT, "unknown format '" + s + "' (supported: "
                + Arrays.stream(values()).map(SbomFormat::id).collect(Collectors.joining(", ")) + ")");
    }
}
