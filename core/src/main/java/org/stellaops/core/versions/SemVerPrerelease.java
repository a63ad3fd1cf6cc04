package org.stellaops.core.versions;

import java.math.BigInteger;

/** SemVer 2.0 §11 pre-release precedence: dot-separated identifiers, numeric ones numerically and before others. */
final class SemVerPrerelease {
    private SemVerPrerelease() {
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            boolean nx = x[i].chars().allMatch(Character::isDigit);
            boolean ny = y[i].chars().allMatch(Character::isDigit);
            int c;
            if (nx && ny) {
                c = new BigInteger(x[i]).compareTo(new BigInteger(y[i]));
            } else if (nx || ny) {
                c = nx ? -1 : 1;
            } else {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) {
                return Integer.signum(c);
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
