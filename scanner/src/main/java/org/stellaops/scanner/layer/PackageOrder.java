package org.stellaops.scanner.layer;

import java.util.Comparator;
import java.util.Objects;
import org.stellaops.core.model.PackageRecord;

/** The one total order of package records, so fragments and SBOMs are byte-identical across runs. */
public final class PackageOrder implements Comparator<PackageRecord> {
    public static final PackageOrder INSTANCE = new PackageOrder();
    private static final Comparator<String> NULLS = Comparator.nullsFirst(Comparator.naturalOrder());

    @Override
    public int compare(PackageRecord a, PackageRecord b) {
        int c = NULLS.compare(a.evidencePath(), b.evidencePath());
        if (c == 0) c = NULLS.compare(a.type(), b.type());
        if (c == 0) c = NULLS.compare(a.namespace(), b.namespace());
        if (c == 0) c = NULLS.compare(a.name(), b.name());
        if (c == 0) c = NULLS.compare(a.version(), b.version());
        if (c == 0) c = NULLS.compare(Objects.toString(a.qualifiers()), Objects.toString(b.qualifiers()));
        if (c == 0) c = NULLS.compare(a.analyzer(), b.analyzer());
        return c;
    }
}
