package org.stellaops.operator.it;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Registers the committed CRDs (crds/manifests) with the mock API server before the operator starts. */
public class CrdSetup implements Consumer<KubernetesServer> {
    @Override
    public void accept(KubernetesServer server) {
        Path dir = Path.of("../crds/manifests");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd = server.getClient().getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
                    server.getClient().apiextensions().v1().customResourceDefinitions().resource(crd).create();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir.toAbsolutePath(), e);
        }
    }
}
