package org.stellaops.core.versions;

/**
 * rpm's version order: {@code rpmvercmp} (rpm 4.16+, with '~' sorting before and '^' after the end of a version) and
 * epoch:version-release comparison. Epoch policy: an absent epoch is 0. Hand-written after rpm's lib/rpmvercmp.c: no
 * maintained Java library implements it. Tests check it against rpm's published vectors and rpm itself.
 */
public final class RpmVersion {
    private RpmVersion() {
    }

    /** Compares two epoch:version-release strings. */
    public static int compareEvr(String a, String b) {
        String[] x = DebianVersion.split(a);
        String[] y = DebianVersion.split(b);
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        if (c != 0) {
            return c;
        }
        c = rpmvercmp(x[1], y[1]);
        if (c != 0 || x[2].isEmpty() || y[2].isEmpty()) {
            return c; // a missing release matches any release, as rpm's dependency comparison does
        }
        return rpmvercmp(x[2], y[2]);
    }

    /** "openssl-3.0.7-27.el9.src.rpm" → "openssl": the name of a source rpm file (name-version-release[.no]src.rpm). */
    public static String sourceRpmName(String srpm) {
        String s = srpm.replaceFirst("\\.(no)?src\\.rpm$", "");
        for (int i = 0; i < 2; i++) {
            int d = s.lastIndexOf('-');
            if (d <= 0) {
                return s;
            }
            s = s.substring(0, d);
        }
        return s;
    }

    private static boolean isAlpha(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** rpmvercmp: -1, 0 or 1. */
    public static int rpmvercmp(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        int i = 0;
        int j = 0;
        int n = a.length();
        int m = b.length();
        while (i < n || j < m) {
            while (i < n && !isAlpha(a.charAt(i)) && !isDigit(a.charAt(i)) && a.charAt(i) != '~' && a.charAt(i) != '^') {
                i++;
            }
            while (j < m && !isAlpha(b.charAt(j)) && !isDigit(b.charAt(j)) && b.charAt(j) != '~' && b.charAt(j) != '^') {
                j++;
            }
            char ca = i < n ? a.charAt(i) : 0;
            char cb = j < m ? b.charAt(j) : 0;
            if (ca == '~' || cb == '~') {
                if (ca != '~') {
                    return 1;
                }
                if (cb != '~') {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (ca == '^' || cb == '^') {
                if (i >= n) {
                    return -1;
                }
                if (j >= m) {
                    return 1;
                }
                if (ca != '^') {
                    return 1;
                }
                if (cb != '^') {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (i >= n || j >= m) {
                break;
            }
            int s1 = i;
            int s2 = j;
            boolean numeric = isDigit(a.charAt(i));
            if (numeric) {
                while (i < n && isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < m && isDigit(b.charAt(j))) {
                    j++;
                }
            } else {
                while (i < n && isAlpha(a.charAt(i))) {
                    i++;
                }
                while (j < m && isAlpha(b.charAt(j))) {
                    j++;
                }
            }
            if (s2 == j) {
                return numeric ? 1 : -1; // numeric segments are newer than alpha ones
            }
            if (numeric) {
                while (s1 < i && a.charAt(s1) == '0') {
                    s1++;
                }
                while (s2 < j && b.charAt(s2) == '0') {
                    s2++;
                }
                int l1 = i - s1;
                int l2 = j - s2;
                if (l1 != l2) {
                    return l1 > l2 ? 1 : -1;
                }
            }
            int c = a.substring(s1, i).compareTo(b.substring(s2, j));
            if (c != 0) {
                return c < 0 ? -1 : 1;
            }
        }
        if (i >= n && j >= m) {
            return 0;
        }
        return i >= n ? -1 : 1;
    }
}
