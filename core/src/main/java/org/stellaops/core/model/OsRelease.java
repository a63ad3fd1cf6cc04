package org.stellaops.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Fields of an os-release file (freedesktop.org os-release(5)). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OsRelease(String evidencePath, String id, String versionId, String versionCodename, String prettyName,
                        String idLike) {

    /** The purl {@code distro} qualifier, for example {@code debian-12} or {@code alpine-3.19.1}. */
    public String distroQualifier() {
        if (id == null) {
            return null;
        }
        if (versionId != null) {
            return id + "-" + versionId;
        }
        return versionCodename != null ? id + "-" + versionCodename : id;
    }
}
