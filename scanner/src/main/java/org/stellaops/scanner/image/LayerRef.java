package org.stellaops.scanner.image;

/**
 * One layer of an image as the manifest and config describe it.
 *
 * @param digest    digest of the blob as stored (compressed), the cache key
 * @param mediaType media type from the manifest
 * @param size      blob size in bytes (-1 when unknown)
 * @param diffId    digest of the uncompressed tar (from the config's rootfs.diff_ids)
 */
public record LayerRef(String digest, String mediaType, long size, String diffId) {
}
