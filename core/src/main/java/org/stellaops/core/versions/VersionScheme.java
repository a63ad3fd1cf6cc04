package org.stellaops.core.versions;

import java.util.Locale;
import org.apache.maven.artifact.versioning.ComparableVersion;
import org.semver4j.Semver;
import org.semver4j.SemverException;

/**
 * The version order of each ecosystem, by purl type. Maven uses Maven's own ComparableVersion (maven-artifact),
 * SemVer-based ecosystems semver4j; dpkg, rpm, apk, PEP 440, RubyGems and NuGet orders are implemented here because no
 * maintained Java library implements them.
 */
public enum VersionScheme {
    DEB("deb"), RPM("rpm"), APK("apk"), SEMVER("semver"), GO("golang"), MAVEN("maven"), PYPI("pypi"), GEM("gem"), NUGET("nuget");

    private final String id;

    VersionScheme(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The scheme for a purl type; SemVer for npm, cargo and composer. */
    public static VersionScheme forPurlType(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "deb" -> DEB;
            case "rpm" -> RPM;
            case "apk" -> APK;
            case "npm", "cargo", "composer", "semver" -> SEMVER;
            case "golang" -> GO;
            case "maven" -> MAVEN;
            case "pypi" -> PYPI;
            case "gem" -> GEM;
            case "nuget" -> NUGET;
            default -> throw new IllegalArgumentException("no version scheme for purl type '" + type + "'");
        };
    }

    /** Negative, zero or positive as a sorts before, with or after b; {@link InvalidVersionException} for bad input. */
    public int compare(String a, String b) {
        return switch (this) {
            case DEB -> DebianVersion.compare(a, b);
            case RPM -> RpmVersion.compareEvr(a, b);
            case APK -> ApkVersion.compare(a, b);
            case MAVEN -> Integer.signum(new ComparableVersion(a).compareTo(new ComparableVersion(b)));
            case PYPI -> Pep440Version.compare(a, b);
            case GEM -> GemVersion.compare(a, b);
            case NUGET -> NuGetVersion.compare(a, b);
            case SEMVER -> Integer.signum(semver(a).compareTo(semver(b)));
            case GO -> Integer.signum(semver(goVersion(a)).compareTo(semver(goVersion(b))));
        };
    }

    private Semver semver(String v) {
        String s = v.trim();
        if (s.startsWith("v") || s.startsWith("=")) {
            s = s.substring(1);
        }
        try {
            return new Semver(s);
        } catch (SemverException e) {
            throw new InvalidVersionException(id, v, "not a semantic version");
        }
    }

    /** Go module versions: v-prefixed SemVer; "+incompatible" is build metadata, pseudo-versions are pre-releases. */
    private static String goVersion(String v) {
        String s = v.trim();
        if (!s.startsWith("v")) {
            throw new InvalidVersionException("golang", v, "Go module versions start with 'v'");
        }
        return s;
    }
}
