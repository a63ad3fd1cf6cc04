package org.stellaops.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Callable;
import org.stellaops.admission.AdmissionDecider;
import org.stellaops.admission.Decision;
import org.stellaops.admission.ImageResolver;
import org.stellaops.admission.Ports;
import org.stellaops.admission.Request;
import org.stellaops.core.json.Json;
import org.stellaops.crds.v1alpha1.Policy;
import org.stellaops.scanner.image.DockerConfig;
import org.stellaops.scanner.image.Platform;
import org.stellaops.storage.Catalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stella admission test}: what the admission webhook would answer for a pod, by the webhook's own decision code. */
@Command(name = "admission", mixinStandardHelpOptions = true, description = "Preview admission decisions.",
        subcommands = {AdmissionCommand.Test.class})
public final class AdmissionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "test is required");
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Decide a pod with these images in a namespace as the webhook would; exit 0 admitted, 2 refused.")
    static final class Test implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--namespace", required = true, description = "The namespace the pod would run in.")
        String namespace;
        @Option(names = "--image", required = true, arity = "1..*", description = "Container images of the pod.")
        List<String> images;
        @Option(names = "--policy", required = true, description = "A Policy resource (YAML) with an admission section.")
        Path policy;
        @Option(names = "--catalog", required = true, description = "The catalog (MongoDB URI) holding the verdicts.")
        String catalog;
        @Option(names = "--database", defaultValue = "stella", description = "Catalog database (default ${DEFAULT-VALUE}).")
        String database;
        @Option(names = "--namespace-label", description = "A label of the namespace (key=value), for namespaceSelector.")
        Map<String, String> labels = new LinkedHashMap<>();
        @Option(names = "--suite-namespace", defaultValue = "stella-system", description = "The suite's namespace (default ${DEFAULT-VALUE}).")
        String suiteNamespace;
        @Option(names = "--insecure-registry", description = "Registries reached over plain HTTP.")
        List<String> insecure = new ArrayList<>();
        @Option(names = "--deadline", defaultValue = "PT3S", description = "Decision deadline (ISO-8601, default 3 s).")
        Duration deadline;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Policy p = Serialization.unmarshal(Files.readString(policy), Policy.class);
            if (p.getMetadata().getNamespace() == null) {
                p.getMetadata().setNamespace(namespace);
            }
            Map<String, String> nsLabels = new LinkedHashMap<>(labels);
            nsLabels.putIfAbsent("kubernetes.io/metadata.name", namespace);
            DockerConfig local = DockerConfig.load(null);
            Ports.Cluster cluster = new Ports.Cluster() {
                @Override
                public Map<String, String> namespaceLabels(String ns) {
                    return nsLabels;
                }

                @Override
                public Collection<Policy> policies() {
                    return List.of(p);
                }

                @Override
                public DockerConfig pullCredentials(String ns, List<String> secrets, String sa) {
                    return local;
                }

                @Override
                public boolean mayBreakGlass(UserInfo user, String ns) {
                    return false;
                }
            };
            ObjectNode pod = Json.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
            pod.putObject("metadata").put("name", "stella-admission-test").put("namespace", namespace);
            ArrayNode containers = pod.putObject("spec").putArray("containers");
            for (int i = 0; i < images.size(); i++) {
                containers.addObject().put("name", "c" + i).put("image", images.get(i));
            }
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            });
            try (Catalog c = new Catalog(catalog, database)) {
                AdmissionDecider decider = new AdmissionDecider(new AdmissionDecider.Settings(suiteNamespace, java.util.Set.of(), deadline),
                        cluster, c::verdict, null, new ImageResolver(new LinkedHashSet<>(insecure), Duration.ofSeconds(10),
                        Platform.DEFAULT, 100, Duration.ofMinutes(1), Clock.systemUTC()), null, executor);
                Decision d = decider.decide(new Request("cli", "", "Pod", namespace, "stella-admission-test", "CREATE", true, null,
                        pod, null));
                print(d, out);
                return d.allowed() ? ExitCodes.OK : ExitCodes.POLICY_FAIL;
            } finally {
                executor.shutdownNow();
            }
        }

        static void print(Decision d, PrintWriter out) {
            out.println((d.allowed() ? "admitted" : "refused") + " (" + d.reason() + (d.policy() == null ? "" : ", Policy " + d.policy()
                    + " in " + d.mode() + " mode") + ")");
            for (Decision.ImageResult i : d.images()) {
                out.println("  " + i.outcome() + "\t" + i.image() + (i.digest() == null ? "" : "\t" + i.digest())
                        + (i.detail() == null ? "" : "\t" + i.detail()));
                for (String f : i.findings()) {
                    out.println("      " + f);
                }
            }
            for (String w : d.warnings()) {
                out.println("warning: " + w);
            }
            if (d.message() != null) {
                out.println(d.message());
            }
            out.flush();
        }
    }
}
