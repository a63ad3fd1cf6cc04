package org.stellaops.core.versions;

/**
 * dpkg's version order ({@code [epoch:]upstream[-revision]}), as dpkg's {@code verrevcmp} implements Debian Policy
 * 5.6.12: in the non-digit parts '~' sorts before everything, even the end, letters before other characters; digit
 * parts compare numerically. Hand-written: no maintained Java library implements dpkg's order. Tests check it against
 * dpkg itself.
 */
public final class DebianVersion {
    private DebianVersion() {
    }

    public static int compare(String a, String b) {
        String[] x = split(a);
        String[] y = split(b);
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        if (c != 0) {
            return c;
        }
        c = verrevcmp(x[1], y[1]);
        return c != 0 ? c : verrevcmp(x[2], y[2]);
    }

    /** epoch, upstream, revision ("" when absent). */
    static String[] split(String v) {
        String s = v.trim();
        String epoch = "0";
        int colon = s.indexOf(':');
        if (colon > 0 && s.substring(0, colon).chars().allMatch(Character::isDigit)) {
            epoch = s.substring(0, colon);
            s = s.substring(colon + 1);
        }
        int dash = s.lastIndexOf('-');
        return dash >= 0 ? new String[] {epoch, s.substring(0, dash), s.substring(dash + 1)}
                : new String[] {epoch, s, ""};
    }

    private static int order(int c) {
        if (isDigit(c)) {
            return 0;
        }
        if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c == 0 ? 0 : c + 256;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static int verrevcmp(String a, String b) {
        int i = 0;
        int j = 0;
        int n = a.length();
        int m = b.length();
        while (i < n || j < m) {
            int firstDiff = 0;
            while (i < n && !isDigit(a.charAt(i)) || j < m && !isDigit(b.charAt(j))) {
                int ac = order(i < n ? a.charAt(i) : 0);
                int bc = order(j < m ? b.charAt(j) : 0);
                if (ac != bc) {
                    return Integer.signum(ac - bc);
                }
                i++;
                j++;
            }
            while (i < n && a.charAt(i) == '0') {
                i++;
            }
            while (j < m && b.charAt(j) == '0') {
                j++;
            }
            while (i < n && j < m && isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < n && isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < m && isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return Integer.signum(firstDiff);
            }
        }
        return 0;
    }
}
