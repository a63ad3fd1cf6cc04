package org.stellaops.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed CRDs in crds/manifests (what users and the Helm chart apply) must be what the Java types generate.
 * Regenerate with {@code mvn -pl crds test -Dstella.crds.update=true}.
 */
class CrdsAreCurrentTest {
    static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
    static final Path COMMITTED = Path.of("manifests");

    @Test
    void committedCrdsMatchTheJavaTypes() throws IOException {
        List<Path> generated;
        try (Stream<Path> s = Files.list(GENERATED)) {
            generated = s.filter(p -> p.getFileName().toString().endsWith("-v1.yml")).sorted().toList();
        }
        assertThat(generated).hasSize(5);
        boolean update = Boolean.getBoolean("stella.crds.update");
        for (Path g : generated) {
            String name = g.getFileName().toString().replace("-v1.yml", ".yaml");
            Path committed = COMMITTED.resolve(name);
            String want = Files.readString(g);
            if (update) {
                Files.createDirectories(COMMITTED);
                Files.writeString(committed, want);
            }
            assertThat(committed).as("crds/manifests/%s is missing: run mvn -pl crds test -Dstella.crds.update=true", name).exists();
            assertThat(Files.readString(committed))
                    .as("crds/manifests/%s is stale: run mvn -pl crds test -Dstella.crds.update=true and commit it", name)
                    .isEqualTo(want);
        }
        try (Stream<Path> s = Files.list(COMMITTED)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).as("no CRD without a Java type")
                    .isEqualTo(generated.stream().map(p -> p.getFileName().toString().replace("-v1.yml", ".yaml")).toList());
        }
    }
}
