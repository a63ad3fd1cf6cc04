package org.stellaops.core.versions;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RubyGems' {@code Gem::Version} order: segments of digits or letters ('-' means ".pre."), a letter segment makes a
 * pre-release, trailing zeros of the numeric part and of the pre-release part are ignored. Hand-written after
 * rubygems/version.rb; tests check it against Ruby's Gem::Version.
 */
public final class GemVersion {
    private static final Pattern VALID = Pattern.compile("[0-9]+(?:\\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");
    private static final Pattern SEGMENT = Pattern.compile("[0-9]+|[a-zA-Z]+");

    private GemVersion() {
    }

    public static int compare(String a, String b) {
        List<Object> x = canonical(a);
        List<Object> y = canonical(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            Object l = i < x.size() ? x.get(i) : BigInteger.ZERO;
            Object r = i < y.size() ? y.get(i) : BigInteger.ZERO;
            if (l.equals(r)) {
                continue;
            }
            if (l instanceof String && r instanceof BigInteger) {
                return -1;
            }
            if (l instanceof BigInteger && r instanceof String) {
                return 1;
            }
            int c = l instanceof BigInteger bl ? bl.compareTo((BigInteger) r) : ((String) l).compareTo((String) r);
            return Integer.signum(c);
        }
        return 0;
    }

    static List<Object> canonical(String version) {
        String v = version.trim();
        if (!VALID.matcher(v).matches()) {
            throw new InvalidVersionException("gem", version, "malformed version number string");
        }
        v = v.replace("-", ".pre.");
        List<Object> segments = new ArrayList<>();
        Matcher m = SEGMENT.matcher(v);
        while (m.find()) {
            String s = m.group();
            segments.add(Character.isDigit(s.charAt(0)) ? (Object) new BigInteger(s) : s);
        }
        int firstString = 0;
        while (firstString < segments.size() && !(segments.get(firstString) instanceof String)) {
            firstString++;
        }
        List<Object> numeric = dropTrailingZeros(new ArrayList<>(segments.subList(0, firstString)));
        List<Object> strings = dropTrailingZeros(new ArrayList<>(segments.subList(firstString, segments.size())));
        numeric.addAll(strings);
        return numeric;
    }

    private static List<Object> dropTrailingZeros(List<Object> s) {
        while (!s.isEmpty() && BigInteger.ZERO.equals(s.get(s.size() - 1))) {
            s.remove(s.size() - 1);
        }
        return s;
    }
}
