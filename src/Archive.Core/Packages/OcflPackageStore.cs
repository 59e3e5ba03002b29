using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Archive.Storage;

namespace Archive.Packages;

/// <summary>
/// Versioned archival packages stored as OCFL 1.1 objects over any <see cref="IObjectStore"/> (a folder, S3, ...).
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> The storage root (<see cref="OcflPackageStoreOptions.Prefix"/>) holds <c>0=ocfl_1.1</c>,
/// <c>ocfl_layout.json</c> and the configuration of extension 0003 (hashed n-tuple folders plus the percent-encoded id,
/// see <see cref="OcflStorageLayout"/>). Each object root holds <c>0=ocfl_object_1.1</c>, <c>inventory.json</c> with
/// its <c>inventory.json.sha256</c> sidecar, and per version <c>vN/inventory.json</c> (+ sidecar) and
/// <c>vN/content/&lt;logical path&gt;</c>. Digests are SHA-256. File sizes are kept in the inventory's
/// <c>fixity</c> block under the algorithm <c>size</c> registered by OCFL community extension 0009, keyed by content
/// path, so every inventory remains a valid OCFL inventory that other OCFL tools can read.</para>
/// <para><b>Commit protocol</b> (needs only per-object atomic writes, no rename, so it holds on S3 as on a folder):
/// (1) claim version N by writing <c>vN/inventory.json</c> create-only (a provisional claim record) — a second writer
/// racing for the same version fails here with <see cref="PackageConcurrencyException"/> before it writes any content;
/// (2) stream each new file to <c>vN/content/...</c>, hashing it (content whose digest the package already holds is
/// not kept: it is either only hashed, when its digest was announced, or deleted right after being written) — or, for
/// content already staged in the object store (<see cref="PackageCommit.Put(string, StagedObject, string?)"/>, the folder
/// store's <see cref="IObjectStagingStore"/>), publish it there with the digest the object store computed, without a copy;
/// (3) replace the claim with the real <c>vN/inventory.json</c> and write its sidecar; (4) write the root
/// <c>inventory.json</c> — <b>the commit point</b>; (5) write the root sidecar. A failure before (4) removes what the
/// commit wrote (a failure reported by (4) itself removes nothing, since the write may have landed); a crash before (4) leaves an unfinished version beyond the head, which readers never see and which
/// the next commit to that package or <see cref="RecoverAsync(CancellationToken)"/> removes. A crash between (4) and (5)
/// is detected when reading (the root inventory then equals the head version's inventory, which verifies against
/// its own sidecar) and repaired by the next commit or by recovery.</para>
/// <para>Within a process, commits to one package are serialised. Across processes the create-only claim of step (1)
/// is the guard, so the store must make create-only atomic (<see cref="ObjectStoreCapabilities.AtomicCreateOnly"/>;
/// on S3 servers that ignore <c>If-None-Match</c> through a coordination bucket, see <see cref="CoordinatedObjectStore"/>).
/// With several writing processes (<see cref="OcflPackageStoreOptions.SharedStorage"/>) the claim is also a lease
/// (<c>expires</c>, renewed every third of <see cref="OcflPackageStoreOptions.CommitLease"/>): an unfinished version is
/// left alone while its lease runs, taken over only after it expired plus <see cref="OcflPackageStoreOptions.ClockSkew"/>
/// (through a create-only marker named after the dead claim's digest, so one of several takers wins), every commit
/// writes its content into a folder of its own (<c>vN/content/.c&lt;nonce&gt;/</c>) so that a stalled writer's late
/// write cannot land on the content of the commit that got the version, and a commit stops before its commit point
/// unless its claim is still its own with at least half the lease left. Residual assumption: a process does not stall
/// for longer than half a lease between that check and the root inventory write (bounded clocks, as for any lease).
/// Memory stays flat: content is streamed, only inventories (small JSON) are held in memory.</para>
/// </remarks>
public sealed partial class OcflPackageStore : IPackageStore
{
    private const string StorageNamaste = "0=ocfl_1.1";
    private const string StorageNamasteContent = "ocfl_1.1\n";
    private const string ObjectNamaste = "0=ocfl_object_1.1";
    private const string ObjectNamasteContent = "ocfl_object_1.1\n";
    private const string InventoryName = "inventory.json";
    private const string SidecarName = "inventory.json.sha256";
    private const string ContentDirectory = "content";
    private const int LockStripes = 128;
    private const int MaxPackageIdBytes = 512;

    private readonly IObjectStore _objects;
    private readonly OcflPackageStoreOptions _options;
    private readonly string _root;
    private readonly SemaphoreSlim[] _locks = Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly string _writerId = Guid.NewGuid().ToString("N");
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _rootInit = new(1, 1);
    private volatile bool _rootReady;

    /// <summary>Creates a package store over an object store.</summary>
    /// <exception cref="ArchiveValidationException">The prefix is not a valid key prefix, or a lease setting is out of range.</exception>
    public OcflPackageStore(IObjectStore objects, OcflPackageStoreOptions? options = null)
        : this(objects, options, null)
    {
    }

    /// <summary>Creates a package store over an object store, with a clock (tests of the commit leases).</summary>
    /// <exception cref="ArchiveValidationException">The prefix is not a valid key prefix, or a lease setting is out of range.</exception>
    public OcflPackageStore(IObjectStore objects, OcflPackageStoreOptions? options, TimeProvider? timeProvider)
    {
        _objects = objects ?? throw new ArgumentNullException(nameof(objects));
        _options = options ?? new OcflPackageStoreOptions();
        _time = timeProvider ?? TimeProvider.System;
        if (_options.CommitLease < TimeSpan.FromSeconds(1))
        {
            throw new ArchiveValidationException("commitLease", "options.lease-too-short", "CommitLease must be at least one second.");
        }

        if (_options.ClockSkew < TimeSpan.Zero)
        {
            throw new ArchiveValidationException("clockSkew", "options.negative", "ClockSkew must not be negative.");
        }

        if (_options.JournalLimit < 0)
        {
            throw new ArchiveValidationException("journalLimit", "options.negative", "JournalLimit must not be negative.");
        }

        if (_options.JournalLimit > 0 && _options.SharedStorage)
        {
            throw new ArchiveValidationException("journalLimit", "options.journal-needs-one-writer", "A package journal (JournalLimit > 0) needs one writing process; it cannot be used on a storage root shared by several processes.");
        }

        if (_options.SharedStorage && !objects.Capabilities.HasFlag(ObjectStoreCapabilities.AtomicCreateOnly))
        {
            throw new ArchiveValidationException("sharedStorage", "options.shared-needs-atomic-create", $"A storage root shared by several processes needs a store whose create-only writes are atomic; {objects.SystemName} '{objects.ContainerName}' does not report them (for S3, give a coordination bucket).");
        }

        var prefix = _options.Prefix ?? string.Empty;
        _root = prefix.Length == 0 ? string.Empty : ObjectKey.Normalize(prefix, "prefix") + "/";
    }

    /// <summary>The object store underneath.</summary>
    public IObjectStore Objects => _objects;

    /// <summary>The key of a package's object root (ending in '/'), e.g. <c>ocfl/3c0/ff4/240/object-01/</c>.</summary>
    public string GetObjectRoot(string packageId) => _root + OcflStorageLayout.ObjectRootPath(NormalizePackageId(packageId)) + "/";

    // ================================================================== loading

    private sealed record LoadedInventory(OcflInventoryDocument Document, byte[] Bytes, string Digest, int HeadNumber, bool SidecarStale);

    /// <summary>
    /// Reads and checks the root inventory. When it disagrees with its sidecar it is accepted only if it is identical
    /// to the head version's inventory, which itself matches its own sidecar (a crash between the root inventory and
    /// its sidecar); otherwise the package is reported corrupt.
    /// </summary>
    private async Task<LoadedInventory?> LoadAsync(string id, string objectRoot, CancellationToken cancellationToken, bool fromStorage = false)
    {
        // A cached inventory is used while the root inventory object is unchanged (same entity tag: one stat, no read);
        // recovery reads from storage, to see (and repair) a sidecar left stale by a crash.
        if (CachesInventories && !fromStorage)
        {
            var info = await _objects.StatAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                return null;
            }

            if (CachedInventory(objectRoot, info.ETag) is { } cached && cached.Document.Id == id)
            {
                return cached;
            }
        }

        var (bytes, etag) = await ReadSmallWithTagAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var sidecar = await ReadSidecarDigestAsync(objectRoot + SidecarName, cancellationToken).ConfigureAwait(false);
        var document = OcflInventoryDocument.Parse(bytes);
        var stale = false;
        if (sidecar != digest)
        {
            var headName = document?.Head;
            var headBytes = headName is null || OcflInventoryDocument.ParseVersionName(headName) is null
                ? null
                : await ReadSmallAsync(objectRoot + headName + "/" + InventoryName, cancellationToken).ConfigureAwait(false);
            var headSidecar = headBytes is null ? null : await ReadSidecarDigestAsync(objectRoot + headName + "/" + SidecarName, cancellationToken).ConfigureAwait(false);
            if (headBytes is null || !headBytes.AsSpan().SequenceEqual(bytes) || headSidecar != digest)
            {
                throw new PackageCorruptException(id, InventoryName, $"its digest {digest} does not match its sidecar ({sidecar ?? "missing"})");
            }

            stale = true;
        }

        var problem = CheckDocument(id, document);
        if (problem is not null)
        {
            throw new PackageCorruptException(id, InventoryName, problem);
        }

        var loaded = new LoadedInventory(document!, bytes, digest, OcflInventoryDocument.ParseVersionName(document!.Head)!.Value, stale);
        CacheInventory(objectRoot, loaded, etag);
        return loaded;
    }

    /// <summary>Structural checks of an inventory this store relies on; returns a problem or null.</summary>
    private static string? CheckDocument(string id, OcflInventoryDocument? document)
    {
        if (document is null)
        {
            return "the inventory is not valid JSON of the OCFL inventory shape";
        }

        if (document.Id != id)
        {
            return $"the inventory belongs to '{document.Id}'";
        }

        if (document.DigestAlgorithm != OcflInventoryDocument.Sha256)
        {
            return $"digest algorithm '{document.DigestAlgorithm}' is not supported (sha256 is)";
        }

        if (OcflInventoryDocument.ParseVersionName(document.Head) is not { } head || document.Versions.Count != head)
        {
            return $"head '{document.Head}' does not match the {document.Versions.Count} version(s) listed";
        }

        for (var i = 1; i <= head; i++)
        {
            if (!document.Versions.TryGetValue(OcflInventoryDocument.VersionName(i), out var v) || v?.State is null)
            {
                return $"version v{i} is missing";
            }

            foreach (var digest in v.State.Keys)
            {
                if (!document.Manifest.TryGetValue(digest, out var paths) || paths is not { Count: > 0 })
                {
                    return $"digest {digest} of v{i} is not in the manifest";
                }
            }
        }

        return null;
    }

    private async Task<byte[]?> ReadSmallAsync(string key, CancellationToken cancellationToken)
        => (await ReadSmallWithTagAsync(key, cancellationToken).ConfigureAwait(false)).Bytes;

    /// <summary>A small object's bytes and entity tag; (null, null) when absent.</summary>
    private async Task<(byte[]? Bytes, string? ETag)> ReadSmallWithTagAsync(string key, CancellationToken cancellationToken)
    {
        await using var content = await _objects.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return (null, null);
        }

        // Sized from the object's length when known, so a large inventory is not copied while the buffer grows.
        using var buffer = new MemoryStream(content.Info.Length is > 0 and < int.MaxValue ? (int)content.Info.Length + 1 : 0);
        await content.Stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return (buffer.ToArray(), content.Info.ETag);
    }

    private async Task<string?> ReadSidecarDigestAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await ReadSmallAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes).Trim();
        var end = text.IndexOfAny([' ', '\t']);
        return (end < 0 ? text : text[..end]).ToLowerInvariant();
    }

    private async Task WriteSidecarAsync(string key, string digest, CancellationToken cancellationToken)
        => await _objects.PutBytesAsync(key, Encoding.UTF8.GetBytes(digest + " " + InventoryName + "\n"), new PutObjectOptions { ContentType = "text/plain" }, cancellationToken).ConfigureAwait(false);

    private static Dictionary<string, string> StateByPath(OcflVersionDocument version)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (digest, paths) in version.State)
        {
            foreach (var path in paths)
            {
                state[path] = digest;
            }
        }

        return state;
    }

    private static Dictionary<string, string> SizesByContentPath(OcflInventoryDocument document)
    {
        var sizes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (document.Fixity?.TryGetValue(OcflInventoryDocument.SizeAlgorithm, out var block) == true)
        {
            foreach (var (size, paths) in block)
            {
                foreach (var path in paths)
                {
                    sizes[path] = size;
                }
            }
        }

        return sizes;
    }

    // ================================================================== helpers

    private string GetObjectRootOfNormalized(string id) => _root + OcflStorageLayout.ObjectRootPath(id) + "/";

    private SemaphoreSlim Lock(string objectRoot) => _locks[(StringComparer.Ordinal.GetHashCode(objectRoot) & int.MaxValue) % LockStripes];

    /// <summary>Validates a package id and returns its NFC form (so decomposed Vietnamese names the same package).</summary>
    /// <exception cref="ArchiveValidationException">The id is empty, too long or contains control characters.</exception>
    public static string NormalizePackageId(string? packageId)
    {
        if (string.IsNullOrWhiteSpace(packageId))
        {
            throw new ArchiveValidationException("packageId", "packageId.empty", "The package id must not be empty.");
        }

        for (var i = 0; i < packageId.Length; i++)
        {
            if (char.IsHighSurrogate(packageId[i]) && i + 1 < packageId.Length && char.IsLowSurrogate(packageId[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(packageId[i]))
            {
                throw new ArchiveValidationException("packageId", "packageId.invalid-unicode", "The package id contains invalid Unicode (a lone surrogate).");
            }
        }

        var normalized = packageId.IsNormalized(NormalizationForm.FormC) ? packageId : packageId.Normalize(NormalizationForm.FormC);
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (Rune.IsControl(rune))
            {
                throw new ArchiveValidationException("packageId", "packageId.control-character", $"The package id contains the control character U+{rune.Value:X4}.");
            }
        }

        if (normalized.Trim().Length != normalized.Length)
        {
            throw new ArchiveValidationException("packageId", "packageId.whitespace", "The package id must not start or end with white space.");
        }

        if (Encoding.UTF8.GetByteCount(normalized) > MaxPackageIdBytes)
        {
            throw new ArchiveValidationException("packageId", "packageId.too-long", $"The package id must be at most {MaxPackageIdBytes} UTF-8 bytes.");
        }

        return normalized;
    }
}
