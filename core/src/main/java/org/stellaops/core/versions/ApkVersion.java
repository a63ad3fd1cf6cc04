package org.stellaops.core.versions;

/**
 * Alpine's apk version order, after apk-tools' version.c: digits, an optional letter, suffixes (_alpha, _beta, _pre,
 * _rc sort before the bare version; _cvs, _svn, _git, _hg, _p after), and -rN revisions; leading zeros of a later
 * component make it compare as a fraction. Hand-written: no Java library implements it. Tests run apk-tools' own
 * test/version.data.
 */
public final class ApkVersion {
    private static final int INVALID = -1, DIGIT_OR_ZERO = 0, DIGIT = 1, LETTER = 2, SUFFIX = 3, SUFFIX_NO = 4,
            REVISION_NO = 5, END = 6;
    private static final String[] PRE = {"alpha", "beta", "pre", "rc"};
    private static final String[] POST = {"cvs", "svn", "git", "hg", "p"};

    private ApkVersion() {
    }

    /** A cursor over one version string. */
    private static final class Cursor {
        final String s;
        int pos;
        int type = DIGIT;

        Cursor(String s) {
            this.s = s;
        }

        int len() {
            return s.length() - pos;
        }

        char at(int i) {
            return s.charAt(pos + i);
        }
    }

    public static int compare(String a, String b) {
        Cursor x = new Cursor(a.trim());
        Cursor y = new Cursor(b.trim());
        long av = 0;
        long bv = 0;
        while (x.type == y.type && x.type != END && x.type != INVALID && av == bv) {
            av = token(x);
            bv = token(y);
        }
        if (av != bv) {
            return av < bv ? -1 : 1;
        }
        if (x.type == y.type) {
            return 0;
        }
        // equal so far: the longer one is newer unless what follows is a pre-release suffix
        if (x.type == SUFFIX && peekSuffix(x) < 0) {
            return -1;
        }
        if (y.type == SUFFIX && peekSuffix(y) < 0) {
            return 1;
        }
        return x.type > y.type ? -1 : y.type > x.type ? 1 : 0;
    }

    private static long peekSuffix(Cursor c) {
        Cursor copy = new Cursor(c.s);
        copy.pos = c.pos;
        copy.type = c.type;
        return token(copy);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static long token(Cursor c) {
        if (c.len() <= 0) {
            c.type = END;
            return 0;
        }
        long v = 0;
        int i = 0;
        int next = INVALID;
        switch (c.type) {
            case DIGIT_OR_ZERO:
                if (c.at(0) == '0') {
                    while (i < c.len() && c.at(i) == '0') {
                        i++;
                    }
                    next = DIGIT;
                    v = -i;
                    break;
                }
                // fall through
            case DIGIT:
            case SUFFIX_NO:
            case REVISION_NO:
                while (i < c.len() && isDigit(c.at(i))) {
                    v = v * 10 + (c.at(i++) - '0');
                }
                break;
            case LETTER:
                v = c.at(i++);
                break;
            case SUFFIX: {
                int k = match(c, PRE);
                if (k >= 0) {
                    i = PRE[k].length();
                    v = k - PRE.length;
                    break;
                }
                k = match(c, POST);
                if (k >= 0) {
                    i = POST[k].length();
                    v = k;
                    break;
                }
                c.type = INVALID;
                return -1;
            }
            default:
                c.type = INVALID;
                return -1;
        }
        c.pos += i;
        if (c.len() == 0) {
            c.type = END;
        } else if (next != INVALID) {
            c.type = next;
        } else {
            nextToken(c);
        }
        return v;
    }

    private static int match(Cursor c, String[] words) {
        for (int k = 0; k < words.length; k++) {
            if (c.s.startsWith(words[k], c.pos)) {
                return k;
            }
        }
        return -1;
    }

    private static void nextToken(Cursor c) {
        int n = INVALID;
        char ch = c.len() == 0 ? 0 : c.at(0);
        if (c.len() == 0 || ch == 0) {
            n = END;
        } else if ((c.type == DIGIT || c.type == DIGIT_OR_ZERO) && ch >= 'a' && ch <= 'z') {
            n = LETTER;
        } else if (c.type == LETTER && isDigit(ch)) {
            n = DIGIT;
        } else if (c.type == SUFFIX && isDigit(ch)) {
            n = SUFFIX_NO;
        } else {
            switch (ch) {
                case '.' -> n = DIGIT_OR_ZERO;
                case '_' -> n = SUFFIX;
                case '-' -> {
                    if (c.len() > 1 && c.at(1) == 'r') {
                        n = REVISION_NO;
                        c.pos++;
                    }
                }
                default -> {
                }
            }
            c.pos++;
        }
        if (n < c.type && !(n == DIGIT_OR_ZERO && c.type == DIGIT || n == SUFFIX && c.type == SUFFIX_NO
                || n == DIGIT && c.type == LETTER)) {
            n = INVALID;
        }
        c.type = n;
    }
}
