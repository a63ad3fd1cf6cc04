package org.stellaops.observer;

import java.util.Optional;
import java.util.Set;

/**
 * What the operator's catalog knows about an image, by digest ({@code sha256:...}). The observer asks for it to
 * judge drift and to report posture.
 *
 * <p>The operator has no endpoint for it yet; the intended one is {@code GET /api/v1/images/{digest}/runtime-facts}
 * answering {@code {"files": ["/usr/bin/python3.11", ...], "verdict": "pass", "attested": true, "sbomStored": true}}
 * (the file list from the stored SBOM's component evidence / layer file index). Until then {@link #NONE} is used:
 * no file-list drift is judged (the exec drift does not need it) and no Posture event is sent.
 */
public interface ImageFacts {

    /** The image's files (absolute paths), or empty when the catalog has no file list for it. */
    Optional<Set<String>> files(String digest);

    /** The image's posture, or empty when unknown. */
    Optional<RuntimeEvent.Posture> posture(String digest);

    ImageFacts NONE = new ImageFacts() {
        @Override
        public Optional<Set<String>> files(String digest) {
            return Optional.empty();
        }

        @Override
        public Optional<RuntimeEvent.Posture> posture(String digest) {
            return Optional.empty();
        }
    };
}
