package org.stellaops.admission;

import java.util.List;
import java.util.regex.Pattern;

/**
 * exemptImages patterns: '**' any run of characters, '*' any run without '/', '?' one character; the rest literal. The
 * pattern must match the whole reference as written in the pod. Hand-written: a glob over image references (not file
 * paths) is a dozen lines, and java.nio's PathMatcher would apply file-system rules to ':' and '@'.
 */
final class ImagePatterns {
    private ImagePatterns() {
    }

    static boolean matchesAny(List<String> patterns, String image) {
        for (String p : patterns) {
            if (compile(p).matcher(image).matches()) {
                return true;
            }
        }
        return false;
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
