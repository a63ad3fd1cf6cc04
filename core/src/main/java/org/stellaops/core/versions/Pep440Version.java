package org.stellaops.core.versions;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEP 440 version order (Python packages), following the comparison key of the reference implementation
 * (pypa/packaging): epoch, release without trailing zeros, pre-release (a &lt; b &lt; rc; a dev release of a final
 * version sorts before its pre-releases), post-release, dev-release, local segments. Hand-written: no Java library
 * implements PEP 440. Tests check it against packaging itself.
 */
public final class Pep440Version implements Comparable<Pep440Version> {
    private static final Pattern PATTERN = Pattern.compile("^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)"
            + "(?<pre>[-_.]?(?<prel>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pren>[0-9]+)?)?"
            + "(?<post>(?:-(?<postn1>[0-9]+))|(?:[-_.]?(?<postl>post|rev|r)[-_.]?(?<postn2>[0-9]+)?))?"
            + "(?<dev>[-_.]?(?<devl>dev)[-_.]?(?<devn>[0-9]+)?)?)"
            + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$", Pattern.CASE_INSENSITIVE);

    private final BigInteger epoch;
    private final List<BigInteger> release;
    /** pre-release: kind (0 a, 1 b, 2 rc) and number; null = none. */
    private final int[] preKind;
    private final BigInteger preNum;
    private final BigInteger post;
    private final BigInteger dev;
    private final List<Object> local;

    private Pep440Version(BigInteger epoch, List<BigInteger> release, int[] preKind, BigInteger preNum, BigInteger post,
                          BigInteger dev, List<Object> local) {
        this.epoch = epoch;
        this.release = release;
        this.preKind = preKind;
        this.preNum = preNum;
        this.post = post;
        this.dev = dev;
        this.local = local;
    }

    public static Pep440Version parse(String v) {
        Matcher m = PATTERN.matcher(v);
        if (!m.matches()) {
            throw new InvalidVersionException("pypi", v, "not a PEP 440 version");
        }
        BigInteger epoch = m.group("epoch") == null ? BigInteger.ZERO : new BigInteger(m.group("epoch"));
        List<BigInteger> release = new ArrayList<>();
        for (String p : m.group("release").split("\\.")) {
            release.add(new BigInteger(p));
        }
        while (release.size() > 1 && release.get(release.size() - 1).signum() == 0) {
            release.remove(release.size() - 1);
        }
        int[] preKind = null;
        BigInteger preNum = null;
        if (m.group("prel") != null) {
            String l = m.group("prel").toLowerCase(Locale.ROOT);
            preKind = new int[] {l.startsWith("a") ? 0 : l.startsWith("b") ? 1 : 2};
            preNum = m.group("pren") == null ? BigInteger.ZERO : new BigInteger(m.group("pren"));
        }
        BigInteger post = null;
        if (m.group("post") != null) {
            String n = m.group("postn1") != null ? m.group("postn1") : m.group("postn2");
            post = n == null ? BigInteger.ZERO : new BigInteger(n);
        }
        BigInteger dev = m.group("dev") == null ? null : m.group("devn") == null ? BigInteger.ZERO : new BigInteger(m.group("devn"));
        List<Object> local = null;
        if (m.group("local") != null) {
            local = new ArrayList<>();
            for (String s : m.group("local").toLowerCase(Locale.ROOT).split("[-_.]")) {
                local.add(s.chars().allMatch(Character::isDigit) ? (Object) new BigInteger(s) : s);
            }
        }
        return new Pep440Version(epoch, release, preKind, preNum, post, dev, local);
    }

    public static int compare(String a, String b) {
        return Integer.signum(parse(a).compareTo(parse(b)));
    }

    @Override
    public int compareTo(Pep440Version o) {
        int c = epoch.compareTo(o.epoch);
        if (c != 0) {
            return c;
        }
        for (int i = 0; i < Math.max(release.size(), o.release.size()); i++) {
            BigInteger x = i < release.size() ? release.get(i) : BigInteger.ZERO;
            BigInteger y = i < o.release.size() ? o.release.get(i) : BigInteger.ZERO;
            c = x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        c = Integer.compare(preRank(), o.preRank());
        if (c != 0) {
            return c;
        }
        if (preKind != null && o.preKind != null) {
            c = Integer.compare(preKind[0], o.preKind[0]);
            if (c == 0) {
                c = preNum.compareTo(o.preNum);
            }
            if (c != 0) {
                return c;
            }
        }
        c = compareOptional(post, o.post, -1);
        if (c != 0) {
            return c;
        }
        c = compareOptional(dev, o.dev, 1);
        if (c != 0) {
            return c;
        }
        return compareLocal(local, o.local);
    }

    /** 0: dev release of a final version (before any pre-release), 1: a pre-release, 2: no pre-release. */
    private int preRank() {
        if (preKind == null && post == null && dev != null) {
            return 0;
        }
        return preKind != null ? 1 : 2;
    }

    /** Compares optional numbers; a missing one sorts first (missingSign -1) or last (1). */
    private static int compareOptional(BigInteger a, BigInteger b, int missingSign) {
        if (a == null && b == null) {
            return 0;
        }
        if (a == null) {
            return missingSign;
        }
        if (b == null) {
            return -missingSign;
        }
        return a.compareTo(b);
    }

    private static int compareLocal(List<Object> a, List<Object> b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            int c;
            if (x instanceof BigInteger bx && y instanceof BigInteger by) {
                c = bx.compareTo(by);
            } else if (x instanceof BigInteger) {
                c = 1; // numeric segments sort after alphanumeric ones
            } else if (y instanceof BigInteger) {
                c = -1;
            } else {
                c = ((String) x).compareTo((String) y);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
