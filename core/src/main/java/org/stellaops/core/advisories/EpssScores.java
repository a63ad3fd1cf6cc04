package org.stellaops.core.advisories;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FIRST EPSS scores (CSV: a {@code #model_version:…,score_date:…} comment, a {@code cve,epss,percentile} header, then
 * one row per CVE). A malformed row fails with its line number.
 */
public record EpssScores(String modelVersion, String scoreDate, Map<String, Score> scores) {

    /** Probability of exploitation in the next 30 days and its percentile, both 0..1. */
    public record Score(double epss, double percentile) {
    }

    private static final Pattern META = Pattern.compile("#model_version:([^,]*),score_date:(\\S*)");

    public static EpssScores parse(byte[] content, String origin) {
        String model = null;
        String date = null;
        Map<String, Score> scores = new HashMap<>();
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n");
        boolean header = false;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].trim();
            if (l.isEmpty()) {
                continue;
            }
            if (l.startsWith("#")) {
                Matcher m = META.matcher(l);
                if (m.find()) {
                    model = m.group(1);
                    date = m.group(2);
                }
                continue;
            }
            if (!header) {
                if (!l.equals("cve,epss,percentile")) {
                    throw new AdvisoryFormatException(origin, "line " + (i + 1), "expected the header cve,epss,percentile");
                }
                header = true;
                continue;
            }
            // the row itself is never quoted in the error: the document may be something else entirely (a Secret's value)
            String[] f = l.split(",");
            if (f.length != 3 || !f[0].startsWith("CVE-")) {
                throw new AdvisoryFormatException(origin, "line " + (i + 1), "malformed row: three columns with a CVE id expected");
            }
            double epss;
            double pct;
            try {
                epss = Double.parseDouble(f[1]);
                pct = Double.parseDouble(f[2]);
            } catch (NumberFormatException e) {
                throw new AdvisoryFormatException(origin, "line " + (i + 1), "malformed row: epss and percentile must be numbers");
            }
            if (epss < 0 || epss > 1 || pct < 0 || pct > 1) {
                throw new AdvisoryFormatException(origin, "line " + (i + 1), "malformed row: scores must lie in 0..1");
            }
            scores.put(f[0], new Score(epss, pct));
        }
        if (!header) {
            throw new AdvisoryFormatException(origin, null, "no cve,epss,percentile header: not an EPSS file");
        }
        return new EpssScores(model, date, Map.copyOf(scores));
    }
}
