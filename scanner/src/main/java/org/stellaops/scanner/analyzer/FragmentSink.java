package org.stellaops.scanner.analyzer;

import java.util.List;
import org.stellaops.core.model.ExecRecord;
import org.stellaops.core.model.OsRelease;
import org.stellaops.core.model.PackageRecord;

/** Where analyzers put what they find in one layer. Thread-confined to the layer being read. */
public interface FragmentSink {
    void addPackage(PackageRecord pkg);

    void addFileList(String key, String evidencePath, List<String> files);

    void addOsRelease(OsRelease osRelease);

    /** What the entrypoint trace needs of one file (ELF linking, script text, jar manifest). */
    default void addExec(ExecRecord exec) {
    }

    /** A problem with one input that did not stop the layer (a malformed package database entry, a corrupt jar). */
    void warn(String message);
}
