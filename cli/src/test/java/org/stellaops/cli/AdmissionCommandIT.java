package org.stellaops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.admission.testing.AdmissionWorld;

/** {@code stella admission test} against the same real servers and verdicts as the webhook's tests. */
class AdmissionCommandIT {
    @TempDir
    static Path dir;
    static AdmissionWorld world;

    @BeforeAll
    static void start() throws Exception {
        world = new AdmissionWorld(dir.resolve("world"));
    }

    @AfterAll
    static void stop() throws Exception {
        world.close();
    }

    record Run(int code, String out) {
    }

    static Run run(String ns, String policyKey, String... images) throws Exception {
        Path policy = dir.resolve(policyKey.replace('/', '-') + ".yaml");
        Files.writeString(policy, Serialization.asYaml(world.policies.get(policyKey)));
        List<String> args = new ArrayList<>(List.of("admission", "test", "--namespace", ns, "--policy", policy.toString(),
                "--catalog", world.mongo.uri(), "--insecure-registry", world.registry.host()));
        for (String i : images) {
            args.add("--image");
            args.add(i);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out + err.toString());
    }

    @Test
    void agreesWithTheWebhookOnFailWarnAndPass() throws Exception {
        Run fail = run("shop", "shop/shop-policy", world.refs.get("debian-app"));
        assertThat(fail.code()).as(fail.out()).isEqualTo(2);
        assertThat(fail.out()).contains("refused (fail, Policy shop/shop-policy in enforce mode)", world.digests.get("debian-app"));
        Run warn = run("shop", "shop/shop-policy", world.refs.get("minbase"));
        assertThat(warn.code()).as(warn.out()).isZero();
        assertThat(warn.out()).contains("admitted (warn").contains("warning: Stella Ops: " + world.refs.get("minbase"));
        Run pass = run("relaxed", "relaxed/relaxed-policy", world.digestRef("minbase"));
        assertThat(pass.code()).as(pass.out()).isZero();
        assertThat(pass.out()).contains("admitted (pass");
        Run excluded = run("kube-system", "shop/shop-policy", world.refs.get("debian-app"));
        assertThat(excluded.code()).isZero();
        assertThat(excluded.out()).contains("admitted (excluded)");
    }
}
