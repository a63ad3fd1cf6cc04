package org.stellaops.scanner.image;

import java.util.List;

/** The parts of an image config (OCI image spec config / Docker v2 config) that the scanner uses. */
public record ImageConfig(String created, String os, String architecture, String variant, List<String> entrypoint,
                          List<String> cmd, List<String> env, String workingDir, List<String> diffIds) {
    public ImageConfig {
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        env = env == null ? List.of() : List.copyOf(env);
        diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }
}
