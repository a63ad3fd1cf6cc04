package org.stellaops.core.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * dpkg and rpm version order, checked against rpm's own published vectors (tests/rpmvercmp.at) and against the real
 * tools: {@code dpkg --compare-versions} and rpm's {@code rpm.vercmp}, on the package versions of this Debian machine.
 */
class VersionOrderTest {

    /** rpm's tests/rpmvercmp.at (rpm-software-management/rpm), the non-disabled cases: a, b, expected. */
    static final String[][] RPMVERCMP_AT = {
        {"1.0", "1.0", "0"}, {"1.0", "2.0", "-1"}, {"2.0", "1.0", "1"}, {"2.0.1", "2.0.1", "0"}, {"2.0", "2.0.1", "-1"},
        {"2.0.1", "2.0", "1"}, {"2.0.1a", "2.0.1a", "0"}, {"2.0.1a", "2.0.1", "1"}, {"2.0.1", "2.0.1a", "-1"},
        {"5.5p1", "5.5p1", "0"}, {"5.5p1", "5.5p2", "-1"}, {"5.5p2", "5.5p1", "1"}, {"5.5p10", "5.5p10", "0"},
        {"5.5p1", "5.5p10", "-1"}, {"5.5p10", "5.5p1", "1"}, {"10xyz", "10.1xyz", "-1"}, {"10.1xyz", "10xyz", "1"},
        {"xyz10", "xyz10", "0"}, {"xyz10", "xyz10.1", "-1"}, {"xyz10.1", "xyz10", "1"}, {"xyz.4", "xyz.4", "0"},
        {"xyz.4", "8", "-1"}, {"8", "xyz.4", "1"}, {"xyz.4", "2", "-1"}, {"2", "xyz.4", "1"}, {"5.5p2", "5.6p1", "-1"},
        {"5.6p1", "5.5p2", "1"}, {"5.6p1", "6.5p1", "-1"}, {"6.5p1", "5.6p1", "1"}, {"6.0.rc1", "6.0", "1"},
        {"6.0", "6.0.rc1", "-1"}, {"10b2", "10a1", "1"}, {"10a2", "10b2", "-1"}, {"1.0aa", "1.0aa", "0"},
        {"1.0a", "1.0aa", "-1"}, {"1.0aa", "1.0a", "1"}, {"10.0001", "10.0001", "0"}, {"10.0001", "10.1", "0"},
        {"10.1", "10.0001", "0"}, {"10.0001", "10.0039", "-1"}, {"10.0039", "10.0001", "1"}, {"4.999.9", "5.0", "-1"},
        {"5.0", "4.999.9", "1"}, {"20101121", "20101121", "0"}, {"20101121", "20101122", "-1"},
        {"20101122", "20101121", "1"}, {"2_0", "2_0", "0"}, {"2.0", "2_0", "0"}, {"2_0", "2.0", "0"}, {"a", "a", "0"},
        {"a+", "a+", "0"}, {"a+", "a_", "0"}, {"a_", "a+", "0"}, {"+a", "+a", "0"}, {"+a", "_a", "0"}, {"_a", "+a", "0"},
        {"+_", "+_", "0"}, {"_+", "+_", "0"}, {"_+", "_+", "0"}, {"+", "_", "0"}, {"_", "+", "0"},
        {"1.0~rc1", "1.0~rc1", "0"}, {"1.0~rc1", "1.0", "-1"}, {"1.0", "1.0~rc1", "1"}, {"1.0~rc1", "1.0~rc2", "-1"},
        {"1.0~rc2", "1.0~rc1", "1"}, {"1.0~rc1~git123", "1.0~rc1~git123", "0"}, {"1.0~rc1~git123", "1.0~rc1", "-1"},
        {"1.0~rc1", "1.0~rc1~git123", "1"},
    };

    private static String run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Versions of the packages installed on this machine, plus the awkward ones of the vectors. */
    private static List<String> corpus() throws Exception {
        List<String> out = new ArrayList<>(run(List.of("dpkg-query", "-W", "-f", "${Version}\\n"), null).lines()
                .filter(l -> !l.isBlank()).distinct().sorted().toList());
        out.addAll(List.of("1.0~rc1", "1.0", "1.0+b1", "1.0-1", "1.0-1~bpo1", "1:0.9", "2:1.0^git1", "1.0^git1",
                "1.0a", "1.0.0", "0001.0", "1.0-0", "1.0~~", "1.0~", "7.88.1-10+deb12u15", "3.0.20-1~deb12u2"));
        return out;
    }

    @Test
    void rpmvercmpPublishedVectors() {
        for (String[] v : RPMVERCMP_AT) {
            assertThat(RpmVersion.rpmvercmp(v[0], v[1])).as("rpmvercmp(%s, %s)", v[0], v[1]).isEqualTo(Integer.parseInt(v[2]));
        }
    }

    @Test
    void agreesWithRpmItself() throws Exception {
        List<String> corpus = corpus();
        Random rnd = new Random(7);
        List<String[]> pairs = new ArrayList<>();
        for (int k = 0; k < 1500; k++) {
            String a = corpus.get(rnd.nextInt(corpus.size()));
            String b = corpus.get(rnd.nextInt(corpus.size()));
            pairs.add(new String[] {a, b});
        }
        StringBuilder lua = new StringBuilder("%{lua:\n");
        for (String[] p : pairs) {
            lua.append("print(rpm.vercmp(\"").append(p[0]).append("\", \"").append(p[1]).append("\") .. \"\\n\")\n");
        }
        lua.append("}");
        List<String> got = run(List.of("rpm", "--eval", lua.toString()), null).lines().filter(l -> l.matches("-?\\d")).toList();
        assertThat(got).hasSize(pairs.size());
        int compared = 0;
        for (int k = 0; k < pairs.size(); k++) {
            String[] x = DebianVersion.split(pairs.get(k)[0]);
            String[] y = DebianVersion.split(pairs.get(k)[1]);
            if (x[0].equals(y[0]) && RpmVersion.rpmvercmp(x[1], y[1]) == 0 && x[2].isEmpty() != y[2].isEmpty()) {
                // the one deliberate difference: a missing release matches any release (as rpm's dependency ranges
                // do, so "last affected 3.0.7" covers 3.0.7-27), where rpm.vercmp orders "3.0.7-27" after "3.0.7"
                assertThat(RpmVersion.compareEvr(pairs.get(k)[0], pairs.get(k)[1])).isZero();
                continue;
            }
            // rpm.vercmp compares epoch:version-release strings
            assertThat(RpmVersion.compareEvr(pairs.get(k)[0], pairs.get(k)[1])).as("rpm.vercmp(%s, %s)", pairs.get(k)[0], pairs.get(k)[1])
                    .isEqualTo(Integer.parseInt(got.get(k)));
            compared++;
        }
        assertThat(compared).isGreaterThan(pairs.size() * 9 / 10);
    }

    @Test
    void agreesWithDpkgItself() throws Exception {
        List<String> corpus = corpus();
        Random rnd = new Random(11);
        StringBuilder script = new StringBuilder();
        List<String[]> pairs = new ArrayList<>();
        for (int k = 0; k < 600; k++) {
            String a = corpus.get(rnd.nextInt(corpus.size()));
            String b = corpus.get(rnd.nextInt(corpus.size()));
            pairs.add(new String[] {a, b});
            script.append("if dpkg --compare-versions '").append(a).append("' lt '").append(b).append("'; then echo -1; ")
                    .append("elif dpkg --compare-versions '").append(a).append("' eq '").append(b).append("'; then echo 0; else echo 1; fi\n");
        }
        List<String> got = run(List.of("sh"), script.toString()).lines().filter(l -> l.matches("-?\\d")).toList();
        assertThat(got).hasSize(pairs.size());
        for (int k = 0; k < pairs.size(); k++) {
            assertThat(DebianVersion.compare(pairs.get(k)[0], pairs.get(k)[1])).as("dpkg %s vs %s", pairs.get(k)[0], pairs.get(k)[1])
                    .isEqualTo(Integer.parseInt(got.get(k)));
        }
    }

    /** apk-tools' own test/version.data: "a OP b" per line, OP one of &lt; &gt; =. */
    @Test
    void apkToolsVersionData() throws Exception {
        List<String> lines;
        try (var in = getClass().getResourceAsStream("/versions/apk-version.data")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
        assertThat(lines).hasSizeGreaterThan(700);
        for (String line : lines) {
            String[] f = line.replaceAll("#.*", "").trim().split("\\s+");
            int expected = switch (f[1]) {
                case "<" -> -1;
                case ">" -> 1;
                default -> 0;
            };
            assertThat(ApkVersion.compare(f[0], f[2])).as(line).isEqualTo(expected);
        }
    }

    @Test
    void debianPolicyExamples() {
        assertThat(DebianVersion.compare("1.0~rc1", "1.0")).isNegative();
        assertThat(DebianVersion.compare("1:0.9", "2.0")).isPositive();
        assertThat(DebianVersion.compare("1.0", "1.0-0")).isZero();
        assertThat(DebianVersion.compare("2.36-9+deb12u10", "2.36-9+deb12u4")).isPositive();
        assertThat(RpmVersion.compareEvr("1:3.0.7-27.el9", "3.0.9-1.el9")).isPositive();
        assertThat(RpmVersion.compareEvr("3.0.7-27.el9", "3.0.7")).isZero();
    }
}
