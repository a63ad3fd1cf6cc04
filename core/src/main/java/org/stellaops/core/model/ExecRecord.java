package org.stellaops.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the entrypoint trace needs to know of one file of a layer, kept in the fragment so that the trace runs on the
 * composed filesystem without opening a layer again.
 *
 * @param path        normalized path, no leading slash
 * @param kind        {@code elf}, {@code script} (starts with {@code #!}) or {@code jar}
 * @param interpreter ELF: the program interpreter (PT_INTERP); script: the shebang line without {@code #!}
 * @param needed      ELF: DT_NEEDED entries in file order
 * @param rpath       ELF: DT_RPATH entries
 * @param runpath     ELF: DT_RUNPATH entries
 * @param text        script: the significant lines (comments and blank lines dropped), null when not kept
 * @param mainClass   jar: the manifest's Main-Class
 * @param classPath   jar: the manifest's Class-Path entries
 * @param note        why the file could not be fully recorded (too large, corrupt dynamic section), null when it was
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ExecRecord(String path, String kind, String interpreter, List<String> needed, List<String> rpath,
                         List<String> runpath, @JsonInclude(JsonInclude.Include.NON_NULL) String text, String mainClass, List<String> classPath, String note) {
    public ExecRecord {
        needed = needed == null ? List.of() : List.copyOf(needed);
        rpath = rpath == null ? List.of() : List.copyOf(rpath);
        runpath = runpath == null ? List.of() : List.copyOf(runpath);
        classPath = classPath == null ? List.of() : List.copyOf(classPath);
    }
}
