package dev.spikevae.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Where CelebA's JPEG files are: the extracted folder {@code img_align_celeba/} or the unextracted
 * {@code img_align_celeba.zip} (entries {@code img_align_celeba/<name>}). Both are safe to read from
 * several threads. An open zip stays open for the life of the dataset.
 */
abstract class CelebaImages {
    static final String FOLDER = "img_align_celeba";
    static final String ZIP = "img_align_celeba.zip";

    /** The encoded bytes of image {@code name}. */
    abstract byte[] read(String name);

    /** Where image {@code name} comes from, for messages. */
    abstract String describe(String name);

    /**
     * Finds the images in {@code celebaFolder} and checks that every one of {@code names} is there, so a
     * partly extracted dataset fails now rather than in the middle of an epoch.
     */
    static CelebaImages open(Path celebaFolder, List<String> names) {
        Path folder = celebaFolder.resolve(FOLDER);
        Path zip = celebaFolder.resolve(ZIP);
        CelebaImages images;
        if (Files.isDirectory(folder)) {
            images = new InFolder(folder);
        } else if (Files.isRegularFile(zip)) {
            images = InZip.open(zip);
        } else {
            throw new DatasetException("celeba: neither " + folder + "/ nor " + zip + " exists");
        }
        int missing = 0;
        String first = null;
        for (String name : names) {
            if (!images.contains(name)) {
                missing++;
                if (first == null) {
                    first = name;
                }
            }
        }
        if (missing > 0) {
            throw new DatasetException("celeba: " + missing + " of the " + names.size() + " images listed in "
                    + CelebaPartition.FILE + " are missing, the first " + images.describe(first));
        }
        return images;
    }

    abstract boolean contains(String name);

    private static final class InFolder extends CelebaImages {
        private final Path folder;

        InFolder(Path folder) {
            this.folder = folder;
        }

        @Override
        byte[] read(String name) {
            Path file = folder.resolve(name);
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new DatasetException(file + ": missing (it was there when the dataset was opened)", e);
            } catch (IOException e) {
                throw new DatasetException(file + ": cannot read: " + e, e);
            }
        }

        @Override
        boolean contains(String name) {
            return Files.isRegularFile(folder.resolve(name));
        }

        @Override
        String describe(String name) {
            return folder.resolve(name).toString();
        }
    }

    private static final class InZip extends CelebaImages {
        private final Path path;
        private final ZipFile zip;

        private InZip(Path path, ZipFile zip) {
            this.path = path;
            this.zip = zip;
        }

        static InZip open(Path path) {
            try {
                return new InZip(path, new ZipFile(path.toFile()));
            } catch (IOException e) {
                throw new DatasetException(path + ": not a readable zip file: " + e.getMessage(), e);
            }
        }

        private ZipEntry entry(String name) {
            ZipEntry e = zip.getEntry(FOLDER + "/" + name);
            return e != null ? e : zip.getEntry(name);
        }

        @Override
        byte[] read(String name) {
            ZipEntry e = entry(name);
            if (e == null) {
                throw new DatasetException(describe(name) + ": no such entry");
            }
            try (InputStream in = zip.getInputStream(e)) {
                return in.readAllBytes();
            } catch (IOException ex) {
                throw new DatasetException(describe(name) + ": cannot read: " + ex, ex);
            }
        }

        @Override
        boolean contains(String name) {
            return entry(name) != null;
        }

        @Override
        String describe(String name) {
            return path + "!/" + FOLDER + "/" + name;
        }
    }
}
