package org.stellaops.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stellaops.core.model.FileRecord;
import org.stellaops.core.model.LayerFragment;

/** Stored fragments are decompressed within a limit, whatever the zstd frame declares. */
class FragmentStoreTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    /** A zstd frame whose header declares {@code declared} content bytes, followed by one raw block of {@code payload}. */
    static byte[] frameDeclaring(long declared, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});
        out.write(0x80); // Frame_Header_Descriptor: 4-byte Frame_Content_Size, not single-segment, no checksum
        out.write(0x00); // Window_Descriptor: 1 KiB
        for (int i = 0; i < 4; i++) {
            out.write((int) (declared >>> (8 * i)) & 0xff);
        }
        int blockHeader = (payload.length << 3) | 1; // last block, raw
        out.write(blockHeader & 0xff);
        out.write((blockHeader >>> 8) & 0xff);
        out.write((blockHeader >>> 16) & 0xff);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] bomb(long zeros) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out, 3)) {
            byte[] chunk = new byte[1 << 20];
            java.util.Arrays.fill(chunk, (byte) ' ');
            for (long n = 0; n < zeros; n += chunk.length) {
                z.write(chunk);
            }
        }
        return out.toByteArray();
    }

    @Test
    void aFrameDeclaringAHugeSizeIsRefusedWithoutAllocatingIt() throws IOException {
        byte[] crafted = frameDeclaring(0xF000_0000L, "{}".repeat(50).getBytes());
        assertThat(Zstd.getFrameContentSize(crafted)).isEqualTo(0xF000_0000L);
        assertThatThrownBy(() -> FragmentStore.decode(crafted, "v1"))
                .isInstanceOf(FragmentStore.FragmentTooLargeException.class)
                .hasMessage("fragment: declares 4026531840 decompressed bytes, more than the limit of 268435456; refused"
                        + " (STELLA_MAX_FRAGMENT_BYTES)");
        byte[] below2GiB = frameDeclaring(0x7800_0000L, "{}".repeat(50).getBytes());
        assertThatThrownBy(() -> FragmentStore.decode(below2GiB, "v1"))
                .isInstanceOf(FragmentStore.FragmentTooLargeException.class).hasMessageContaining("declares 2013265920");
    }

    @Test
    void aDecompressionBombWithoutADeclaredSizeStopsAtTheLimit() throws IOException {
        byte[] bomb = bomb(64L << 20);
        assertThat(bomb.length).isLessThan(64 * 1024);
        assertThat(Zstd.getFrameContentSize(bomb)).isLessThanOrEqualTo(0);
        assertThatThrownBy(() -> FragmentStore.decode(bomb, "v1", "layers/x/fragment.json.zst", 8L << 20))
                .isInstanceOf(FragmentStore.FragmentTooLargeException.class)
                .hasMessage("layers/x/fragment.json.zst: decompresses to more than the limit of 8388608 bytes (compressed "
                        + bomb.length + "); refused (STELLA_MAX_FRAGMENT_BYTES)");
    }

    @Test
    void theLocalStoreNamesTheFileAndHonoursTheConfiguredLimit(@TempDir Path dir) throws IOException {
        LocalFragmentStore store = new LocalFragmentStore(dir);
        LayerFragment f = new LayerFragment(LayerFragment.SCHEMA, DIGEST, DIGEST, "v1",
                List.of(new FileRecord("etc/hostname", "f", 2, 0644, null)), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of());
        store.put(f);
        assertThat(store.get(DIGEST, "v1")).contains(f);
        Path file = dir.resolve(FragmentStore.key(DIGEST));
        Files.write(file, bomb(4L << 20));
        System.setProperty("stella.maxFragmentBytes", "1m");
        try {
            assertThatThrownBy(() -> store.get(DIGEST, "v1")).isInstanceOf(FragmentStore.FragmentTooLargeException.class)
                    .hasMessageStartingWith(file + ": decompresses to more than the limit of 1048576 bytes");
        } finally {
            System.clearProperty("stella.maxFragmentBytes");
        }
        // within the default limit the same bytes are an ordinary unreadable fragment: a miss, rewritten by the next scan
        assertThat(store.get(DIGEST, "v1")).isEmpty();
    }

    @Test
    void limitsAcceptSuffixesAndRejectNonsense() {
        assertThat(Limits.parse("512m", "x")).isEqualTo(512L << 20);
        assertThat(Limits.parse("2G", "x")).isEqualTo(2L << 30);
        assertThat(Limits.parse("4096", "x")).isEqualTo(4096);
        assertThatThrownBy(() -> Limits.parse("-1", "STELLA_X")).hasMessageContaining("STELLA_X");
        assertThatThrownBy(() -> Limits.parse("lots", "STELLA_X")).hasMessageContaining("'lots'");
    }
}
