package dev.spikevae.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Paths of the kernel sources and the checked-in PTX, for the build tests (run from the project root). */
final class PtxFiles {
    static final Path CUDA_DIR = Path.of("src/main/cuda");
    static final Path CHECKED_IN = CUDA_DIR.resolve("ptx");

    private PtxFiles() {
    }

    /** Module names of the .cu files, sorted. */
    static List<String> sourceModules() throws IOException {
        try (Stream<Path> s = Files.list(CUDA_DIR)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .map(n -> n.substring(0, n.length() - 3)).sorted().collect(Collectors.toList());
        }
    }

    static String checkedIn(String module) throws IOException {
        return Files.readString(CHECKED_IN.resolve(module + ".ptx"), StandardCharsets.US_ASCII);
    }

    /** PTX without its comment lines (they name the compiler build, not the code). */
    static String withoutComments(String ptx) {
        return ptx.lines().filter(l -> !l.trim().startsWith("//")).collect(Collectors.joining("\n"));
    }
}
