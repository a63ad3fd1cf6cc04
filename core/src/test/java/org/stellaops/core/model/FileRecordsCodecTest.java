package org.stellaops.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.store.LocalFragmentStore;

class FileRecordsCodecTest {

    @Test
    void roundTripsNamesWithTabsNewlinesAndBackslashes() {
        List<FileRecord> files = List.of(new FileRecord("etc", "d", 0, 0755, null),
                new FileRecord("odd\tname\nwith\\slash", "f", 12345678901L, 0644, null),
                new FileRecord("usr/bin/sh", "l", 0, 0777, "dash"),
                new FileRecord("a\\b", "h", 0, 0644, "x\ty"));
        assertThat(FileRecordsCodec.decode(FileRecordsCodec.encode(files))).isEqualTo(files);
        assertThat(FileRecordsCodec.decode("")).isEmpty();
        assertThatThrownBy(() -> FileRecordsCodec.decode("f\t644\n")).hasMessageContaining("malformed file record");
    }

    @Test
    void fragmentsRoundTripThroughTheEmbeddedStore(@TempDir Path dir) throws Exception {
        String digest = "sha256:" + "ab".repeat(32);
        LayerFragment f = new LayerFragment(LayerFragment.SCHEMA, digest, digest, "v1",
                List.of(new FileRecord("etc/os-release", "f", 10, 0644, null)), List.of("etc/motd"), List.of("opt"),
                List.of(PackageRecord.builder("deb", "bash").version("5.2.15-2+b2").evidence("var/lib/dpkg/status").build()),
                List.of(new FileList("dpkg:bash", "var/lib/dpkg/info/bash.list", List.of("bin/bash"))),
                List.of(new OsRelease("etc/os-release", "debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", null)),
                List.of("a warning"));
        LocalFragmentStore store = new LocalFragmentStore(dir);
        store.put(f);
        assertThat(store.get(digest, "v1")).contains(f);
        assertThat(store.get(digest, "v2")).isEmpty(); // another analyzer version is a miss
        assertThat(dir.resolve("layers/" + digest + "/fragment.json.zst")).isRegularFile();
    }
}
