package dev.spikevae.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * MNIST and Fashion-MNIST from their official IDX files: 28x28 greyscale, resized to 32x32 (Pillow
 * bilinear, as the reference's {@code Resize(32)}) and scaled to [-1, 1]. The files may be plain or
 * {@code .gz}; the folder is {@code <root>/mnist/} or torchvision's {@code <root>/MNIST/raw/}
 * ({@code <root>/fashion-mnist/}, {@code <root>/FashionMNIST/raw/} and Debian's
 * {@code /usr/share/datasets/fashion-mnist/} for Fashion-MNIST).
 */
final class IdxDatasets {
    static final int SOURCE_SIZE = 28;
    static final int OUTPUT_SIZE = 32;
    static final int CLASSES = 10;

    private IdxDatasets() {
    }

    static ImageDataset mnist(DataRoot root, Split split) {
        return open("mnist", root.folders(false, "mnist", "MNIST/raw"), root, split);
    }

    static ImageDataset fashionMnist(DataRoot root, Split split) {
        return open("fashion-mnist", root.folders(true, "fashion-mnist", "FashionMNIST/raw"), root, split);
    }

    private static ImageDataset open(String dataset, List<Path> folders, DataRoot root, Split split) {
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        String imagesName = prefix + "-images-idx3-ubyte";
        String labelsName = prefix + "-labels-idx1-ubyte";
        if (folders.isEmpty()) {
            throw DataRoot.missing(dataset, "mnist".equals(dataset) ? "mnist/ or MNIST/raw/"
                    : "fashion-mnist/ or FashionMNIST/raw/");
        }
        for (Path folder : folders) {
            Path images = find(folder, imagesName);
            if (images == null) {
                continue;
            }
            Path labels = find(folder, labelsName);
            if (labels == null) {
                throw new DatasetException(dataset + ": " + folder + " has " + images.getFileName() + " but not "
                        + labelsName + "[.gz]");
            }
            return read(dataset + "/" + split.label(), images, labels);
        }
        throw new DatasetException(dataset + ": " + imagesName + "[.gz] not found; tried "
                + folders.stream().map(Path::toString).collect(Collectors.joining(", "))
                + (root.root() == null ? "; " + root.describe() : ""));
    }

    /** {@code folder/name} if it is a file, else {@code folder/name.gz} if that is, else null. */
    private static Path find(Path folder, String name) {
        Path plain = folder.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = folder.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    /** Reads one split from an image and a label file, checking that they agree. */
    static ImageDataset read(String name, Path imagesFile, Path labelsFile) {
        IdxFiles.Images images = IdxFiles.readImages(imagesFile);
        if (images.rows() != SOURCE_SIZE || images.cols() != SOURCE_SIZE) {
            throw new DatasetException(imagesFile + ": images are " + images.rows() + "x" + images.cols()
                    + ", expected " + SOURCE_SIZE + "x" + SOURCE_SIZE);
        }
        byte[] labels = IdxFiles.readLabels(labelsFile, CLASSES);
        if (labels.length != images.count()) {
            throw new DatasetException(name + ": " + imagesFile + " holds " + images.count() + " images but "
                    + labelsFile + " holds " + labels.length + " labels");
        }
        return new ByteImageDataset(name, images.pixels(), labels, images.count(), 1, SOURCE_SIZE, SOURCE_SIZE,
                OUTPUT_SIZE, OUTPUT_SIZE);
    }
}
