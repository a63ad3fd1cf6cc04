package org.stellaops.core.model;

import java.util.List;

/**
 * A list of files owned by a package, found in a file of its own (dpkg {@code info/<pkg>.list}). Composed by the
 * path precedence of {@code evidencePath}: the list that survives in the final filesystem wins.
 *
 * @param key          "dpkg:<package>" (architecture suffix removed)
 * @param evidencePath the list file
 * @param files        owned paths, normalized without leading slash
 */
public record FileList(String key, String evidencePath, List<String> files) {
    public FileList {
        files = files == null ? List.of() : List.copyOf(files);
    }
}
