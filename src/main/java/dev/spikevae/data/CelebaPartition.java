package dev.spikevae.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CelebA's {@code list_eval_partition.txt}: one line {@code <image>.jpg <partition>} per image, partition
 * 0 = train (162,770 images), 1 = valid (19,867), 2 = test (19,962). The reference (torchvision's
 * {@code split='train'} and {@code 'test'}) uses partitions 0 and 2.
 */
final class CelebaPartition {
    static final String FILE = "list_eval_partition.txt";

    private CelebaPartition() {
    }

    /** The partition number of a split: TRAIN 0, TEST 2. */
    static int of(Split split) {
        return split == Split.TRAIN ? 0 : 2;
    }

    /** The image names of {@code partition}, in file order. */
    static List<String> read(Path file, int partition) {
        List<String> names = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String trimmed = line.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                String[] parts = trimmed.split("\\s+");
                if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).endsWith(".jpg")
                        || !parts[1].matches("[012]")) {
                    throw new DatasetException(file + " line " + lineNo + ": expected '<image>.jpg <0|1|2>', found '"
                            + abbreviate(trimmed) + "'");
                }
                if (Integer.parseInt(parts[1]) == partition) {
                    names.add(parts[0]);
                }
            }
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e, e);
        }
        return names;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
