package dev.spikevae.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Opens the datasets of the paper by name, preprocessed as the reference does (docs/reference.md §5):
 * <ul>
 *   <li>{@code mnist}, {@code fashion-mnist}: IDX files, 28x28 resized to 1x32x32;</li>
 *   <li>{@code cifar10}: the binary version, 3x32x32 as stored;</li>
 *   <li>{@code celeba}: aligned JPEGs, centre crop 148, resized to 3x64x64;</li>
 *   <li>{@code digits}: OpenCV's 5,000 handwritten digits, embedded in the jar, 1x32x32.</li>
 * </ul>
 * All give CHW floats in [-1, 1]. Where the files must be is described in docs/reference.md §15 and in the messages of
 * the errors.
 */
public final class Datasets {
    private static final List<String> NAMES = List.of("mnist", "fashion-mnist", "cifar10", "celeba", "digits");

    private Datasets() {
    }

    /** The dataset names {@link #open} accepts. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * Opens a dataset. {@code root} is the data root; when it is null, {@code $SPIKEVAE_DATA} is used, and for
     * {@code fashion-mnist} also Debian's {@code /usr/share/datasets/fashion-mnist/}. {@code digits} is
     * embedded and needs no root.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the valid ones)
     * @throws DatasetException         when the files are missing (the message lists the paths tried),
     *                                  truncated or corrupt (it names the file and what was expected)
     */
    public static ImageDataset open(String name, Path root, Split split) {
        return open(name, root, split, System.getenv(), DataRoot.DEBIAN_FASHION_MNIST);
    }

    /** {@link #open} with the environment and the Debian folder given (for tests). */
    static ImageDataset open(String name, Path root, Split split, Map<String, String> env, Path debianFashionMnist) {
        String canonical = canonical(name);
        Objects.requireNonNull(split, "split");
        if (canonical.equals("digits")) {
            return DigitsDataset.open(split);
        }
        DataRoot dataRoot = DataRoot.resolve(root, env, debianFashionMnist);
        switch (canonical) {
            case "mnist":
                return IdxDatasets.mnist(dataRoot, split);
            case "fashion-mnist":
                return IdxDatasets.fashionMnist(dataRoot, split);
            case "cifar10":
                return Cifar10Files.open(dataRoot, split);
            case "celeba":
                return CelebaDataset.open(dataRoot, split);
            default:
                throw new IllegalStateException("dataset " + canonical + " is listed but has no reader");
        }
    }

    /** The first {@code n} images of {@code data}; {@code n} larger than its size is an error naming both. */
    public static ImageDataset firstN(ImageDataset data, int n) {
        return new FirstN(data, n);
    }

    /** Whether the reference trains this dataset with random horizontal flips (cifar10 and celeba). */
    public static boolean trainsWithFlip(String name) {
        String canonical = canonical(name);
        return canonical.equals("cifar10") || canonical.equals("celeba");
    }

    /** The name in lower case if it is one of {@link #names()}; otherwise an error listing them. */
    private static String canonical(String name) {
        String lower = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        if (!NAMES.contains(lower)) {
            throw new IllegalArgumentException("unknown dataset '" + name + "': expected one of "
                    + String.join(", ", NAMES));
        }
        return lower;
    }
}
