package org.stellaops.core.versions;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NuGet version order (NuGet.Versioning): up to four numeric parts (missing ones are 0), a release sorts after its
 * pre-releases, pre-release labels compare as in SemVer 2.0 but case-insensitively, build metadata is ignored.
 * Hand-written: NuGet.Versioning is a .NET library.
 */
public final class NuGetVersion {
    private static final Pattern PATTERN = Pattern.compile("^\\s*[vV]?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:\\.(\\d+))?"
            + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?\\s*$");

    private NuGetVersion() {
    }

    public static int compare(String a, String b) {
        Matcher x = match(a);
        Matcher y = match(b);
        for (int g = 1; g <= 4; g++) {
            BigInteger l = x.group(g) == null ? BigInteger.ZERO : new BigInteger(x.group(g));
            BigInteger r = y.group(g) == null ? BigInteger.ZERO : new BigInteger(y.group(g));
            int c = l.compareTo(r);
            if (c != 0) {
                return c;
            }
        }
        String pa = x.group(5);
        String pb = y.group(5);
        if (pa == null || pb == null) {
            return pa == null ? (pb == null ? 0 : 1) : -1;
        }
        return SemVerPrerelease.compare(pa.toLowerCase(Locale.ROOT), pb.toLowerCase(Locale.ROOT));
    }

    private static Matcher match(String v) {
        Matcher m = PATTERN.matcher(v);
        if (!m.matches()) {
            throw new InvalidVersionException("nuget", v, "not a NuGet version");
        }
        return m;
    }
}
