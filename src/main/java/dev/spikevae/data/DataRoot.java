package dev.spikevae.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where datasets are looked for: the root the caller gives, else the one in {@code $SPIKEVAE_DATA}; for
 * Fashion-MNIST also the folder of Debian's {@code dataset-fashion-mnist} package. The environment and the
 * Debian folder are fields so that tests can replace them.
 */
final class DataRoot {
    static final String ENV = "SPIKEVAE_DATA";
    static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private final Path root;
    private final String rootSource;
    private final boolean explicit;
    private final Path debianFashionMnist;

    private DataRoot(Path root, String rootSource, boolean explicit, Path debianFashionMnist) {
        this.root = root;
        this.rootSource = rootSource;
        this.explicit = explicit;
        this.debianFashionMnist = debianFashionMnist;
    }

    /**
     * Resolves the root: {@code given} if not null, else {@code env[SPIKEVAE_DATA]} if set and not blank,
     * else none. A root that is named but does not exist is an error.
     */
    static DataRoot resolve(Path given, Map<String, String> env, Path debianFashionMnist) {
        Path root = given;
        String source = "data root";
        if (root == null) {
            String fromEnv = env.get(ENV);
            if (fromEnv != null && !fromEnv.isBlank()) {
                root = Path.of(fromEnv.strip());
                source = ENV;
            }
        }
        if (root != null && !Files.isDirectory(root)) {
            throw new DatasetException(source + " " + root + " is not a folder");
        }
        return new DataRoot(root, source, given != null, debianFashionMnist);
    }

    /** The root, or null when neither a root nor {@code $SPIKEVAE_DATA} was given. */
    Path root() {
        return root;
    }

    /**
     * The folders {@code root/relative[i]} in order, then, when {@code debianDefault} and the caller gave no
     * root of its own, the Debian Fashion-MNIST folder.
     */
    List<Path> folders(boolean debianDefault, String... relative) {
        List<Path> out = new ArrayList<>();
        if (root != null) {
            for (String r : relative) {
                out.add(root.resolve(r));
            }
            for (String r : relative) { // the root may be the dataset's folder itself
                if (isNamed(root, r.split("/")[0])) {
                    out.add(root);
                    break;
                }
            }
        }
        if (debianDefault && !explicit && debianFashionMnist != null) {
            out.add(debianFashionMnist);
        }
        return out;
    }

    /** {@code root/name}, or the root itself when it is that folder (data.root may name the dataset's folder). */
    Path folder(String name) {
        return isNamed(root, name) && !Files.isDirectory(root.resolve(name)) ? root : root.resolve(name);
    }

    private static boolean isNamed(Path p, String name) {
        Path f = p.toAbsolutePath().normalize().getFileName();
        return f != null && f.toString().equalsIgnoreCase(name);
    }

    /** The error for a dataset that needs a root when none was given: says how to give one and its layout. */
    static DatasetException missing(String dataset, String layout) {
        return new DatasetException(dataset + ": no data root: give one (data.root=DIR for train, --data-root for eval) or set " + ENV
                + "; it should contain " + layout);
    }

    /** Where the root came from, for messages: "data root /x", "SPIKEVAE_DATA /x" or that there is none. */
    String describe() {
        return root == null ? "no data root given (data.root, --data-root or " + ENV + ")" : rootSource + " " + root;
    }
}
