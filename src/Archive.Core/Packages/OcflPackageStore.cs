using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
/// not kept: it is either only hashed, when its digest was announced, or deleted right after being written);
/// (3) replace the claim with the real <c>vN/inventory.json</c> and write its sidecar; (4) write the root
/// <c>inventory.json</c> — <b>the commit point</b>; (5) write the root sidecar. A failure before (4) removes what the
/// commit wrote (a failure reported by (4) itself removes nothing, since the write may have landed); a crash before (4) leaves an unfinished version beyond the head, which readers never see and which
/// the next commit to that package or <see cref="RecoverAsync(CancellationToken)"/> removes. A crash between (4) and (5)
/// is detected when reading (the root inventory then equals the head version's inventory, which verifies against
/// its own sidecar) and repaired by the next commit or by recovery.</para>
/// <para>Within a process, commits to one package are serialised. Memory stays flat: content is streamed, only
/// inventories (small JSON) are held in memory.</para>
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
    private readonly SemaphoreSlim _rootInit = new(1, 1);
    private volatile bool _rootReady;

    /// <summary>Creates a package store over an object store.</summary>
    /// <exception cref="ArchiveValidationException">The prefix is not a valid key prefix.</exception>
    public OcflPackageStore(IObjectStore objects, OcflPackageStoreOptions? options = null)
    {
        _objects = objects ?? throw new ArgumentNullException(nameof(objects));
        _options = options ?? new OcflPackageStoreOptions();
        if (_options.AbandonedCommitAge < TimeSpan.Zero)
        {
            throw new ArchiveValidationException("abandonedCommitAge", "options.negative", "AbandonedCommitAge must not be negative.");
        }

        var prefix = _options.Prefix ?? string.Empty;
        _root = prefix.Length == 0 ? string.Empty : ObjectKey.Normalize(prefix, "prefix") + "/";
    }

    /// <summary>The object store underneath.</summary>
    public IObjectStore Objects => _objects;

    /// <summary>The key of a package's object root (ending in '/'), e.g. <c>ocfl/3c0/ff4/240/object-01/</c>.</summary>
    public string GetObjectRoot(string packageId) => _root + OcflStorageLayout.ObjectRootPath(NormalizePackageId(packageId)) + "/";

    // ================================================================== commit

    /// <inheritdoc />
    public async ValueTask<PackageInventory> CommitAsync(string packageId, PackageCommit commit, CancellationToken cancellationToken = default)
    {
        var id = NormalizePackageId(packageId);
        ArgumentNullException.ThrowIfNull(commit);
        var objectRoot = GetObjectRootOfNormalized(id);
        var changes = ValidateCommit(commit, objectRoot);

        await EnsureStorageRootAsync(cancellationToken).ConfigureAwait(false);
        var gate = Lock(objectRoot);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await LoadAsync(id, objectRoot, cancellationToken).ConfigureAwait(false);
            if (current is { SidecarStale: true })
            {
                await WriteSidecarAsync(objectRoot + SidecarName, current.Digest, CancellationToken.None).ConfigureAwait(false);
            }

            var head = current?.HeadNumber ?? 0;
            if (commit.ExpectedHead is { } expected && expected != head)
            {
                throw new PackageConcurrencyException(id, expected, head);
            }

            var state = head == 0
                ? new Dictionary<string, string>(StringComparer.Ordinal)
                : StateByPath(current!.Document.Versions[OcflInventoryDocument.VersionName(head)]);
            ApplyAndCheck(state, changes);

            var cleanup = await RemoveUnfinishedVersionsAsync(objectRoot, head, cancellationToken).ConfigureAwait(false);
            if (cleanup.Kept > 0)
            {
                throw new PackageConcurrencyException(id, commit.ExpectedHead, head);
            }

            return await WriteVersionAsync(id, objectRoot, current, head + 1, commit, changes, state, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed record Change(int Index, string LogicalPath, PackageChange.PutFile? Put, string? ExpectedSha256);

    private static List<Change> ValidateCommit(PackageCommit commit, string objectRoot)
    {
        var errors = new List<ValidationError>();
        var result = new List<Change>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (commit.ExpectedHead is < 0)
        {
            errors.Add(new ValidationError("expectedHead", "commit.expected-head-negative", "The expected head must be 0 (new package) or a version number."));
        }

        if (commit.UserName is null && commit.UserAddress is not null)
        {
            errors.Add(new ValidationError("userName", "commit.user-name-required", "A user address needs a user name (OCFL user.name)."));
        }

        for (var i = 0; i < commit.Changes.Count; i++)
        {
            var change = commit.Changes[i];
            var field = $"changes[{i}].logicalPath";
            if (change is null)
            {
                errors.Add(new ValidationError($"changes[{i}]", "commit.change-null", "A change must not be null."));
                continue;
            }

            string path;
            try
            {
                path = ObjectKey.Normalize(change.LogicalPath, field);
                // The content key must be a valid key too (length limits include the package's folders).
                _ = ObjectKey.Normalize(objectRoot + "v999999/" + ContentDirectory + "/" + path, field);
            }
            catch (ArchiveValidationException ex)
            {
                errors.AddRange(ex.Errors);
                continue;
            }

            if (!seen.Add(path))
            {
                errors.Add(new ValidationError(field, "logicalPath.duplicate", $"'{path}' is changed more than once in this commit."));
                continue;
            }

            string? expected = null;
            if (change is PackageChange.PutFile put)
            {
                if (put.Content is null)
                {
                    errors.Add(new ValidationError($"changes[{i}].content", "commit.content-null", "The content stream must not be null."));
                }

                if (put.ExpectedSha256 is { } sha)
                {
                    if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
                    {
                        errors.Add(new ValidationError($"changes[{i}].expectedSha256", "sha256.format", "The expected SHA-256 must be 64 hexadecimal digits."));
                    }
                    else
                    {
                        expected = sha.ToLowerInvariant();
                    }
                }

                result.Add(new Change(i, path, put, expected));
            }
            else
            {
                result.Add(new Change(i, path, null, null));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return result;
    }

    /// <summary>Checks removals and path conflicts against the new state (before anything is written); marks puts with a placeholder.</summary>
    private static void ApplyAndCheck(Dictionary<string, string> state, List<Change> changes)
    {
        var errors = new List<ValidationError>();
        foreach (var change in changes)
        {
            if (change.Put is null)
            {
                if (!state.Remove(change.LogicalPath))
                {
                    errors.Add(new ValidationError($"changes[{change.Index}].logicalPath", "logicalPath.not-found", $"'{change.LogicalPath}' is not in the current version, so it cannot be removed."));
                }
            }
            else
            {
                state[change.LogicalPath] = string.Empty;
            }
        }

        // OCFL: no logical path may be a folder of another ("a" and "a/b").
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in state.Keys)
        {
            for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
            {
                folders.Add(path[..slash]);
            }
        }

        foreach (var change in changes)
        {
            if (change.Put is not null && folders.Contains(change.LogicalPath))
            {
                errors.Add(new ValidationError($"changes[{change.Index}].logicalPath", "logicalPath.conflict", $"'{change.LogicalPath}' is also a folder of other files in the package."));
            }
            else if (change.Put is not null)
            {
                for (var slash = change.LogicalPath.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = change.LogicalPath.IndexOf('/', slash + 1))
                {
                    if (state.ContainsKey(change.LogicalPath[..slash]))
                    {
                        errors.Add(new ValidationError($"changes[{change.Index}].logicalPath", "logicalPath.conflict", $"'{change.LogicalPath[..slash]}' is a file of the package, so it cannot also be a folder."));
                        break;
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }
    }

    private async Task<PackageInventory> WriteVersionAsync(string id, string objectRoot, LoadedInventory? current, int number, PackageCommit commit, List<Change> changes, Dictionary<string, string> state, CancellationToken cancellationToken)
    {
        var version = OcflInventoryDocument.VersionName(number);
        var versionRoot = objectRoot + version + "/";
        var claimKey = versionRoot + InventoryName;
        var claim = JsonSerializer.SerializeToUtf8Bytes(new OcflClaimDocument
        {
            Claim = $"commit of {version} in progress",
            Writer = _writerId,
            Created = OcflInventoryDocument.FormatCreated(DateTimeOffset.UtcNow),
        }, OcflJsonContext.Readable.OcflClaimDocument);

        try
        {
            await _objects.PutBytesAsync(claimKey, claim, new PutObjectOptions { CreateOnly = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            throw new PackageConcurrencyException(id, commit.ExpectedHead, number - 1);
        }

        var written = new List<string> { claimKey };
        var manifest = current is null
            ? new Dictionary<string, List<string>>(StringComparer.Ordinal)
            : current.Document.Manifest.ToDictionary(p => p.Key, p => p.Value.ToList(), StringComparer.Ordinal);
        var sizes = current is null ? new Dictionary<string, string>(StringComparer.Ordinal) : SizesByContentPath(current.Document);
        try
        {
            if (number == 1)
            {
                await _objects.PutBytesAsync(objectRoot + ObjectNamaste, Encoding.ASCII.GetBytes(ObjectNamasteContent), new PutObjectOptions { ContentType = "text/plain" }, cancellationToken).ConfigureAwait(false);
                written.Add(objectRoot + ObjectNamaste);
            }

            foreach (var change in changes)
            {
                if (change.Put is null)
                {
                    continue;
                }

                var contentPath = version + "/" + ContentDirectory + "/" + change.LogicalPath;
                var contentKey = objectRoot + contentPath;
                string digest;
                if (change.ExpectedSha256 is { } announced && manifest.ContainsKey(announced))
                {
                    // Already stored: verify the stream without keeping a second copy.
                    await using var hashing = new HashingReadStream(change.Put.Content, ownsInner: false);
                    await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                    if (hashing.Sha256 != announced)
                    {
                        throw new ChecksumMismatchException(_objects.SystemName, _objects.ContainerName, contentKey, announced, hashing.Sha256);
                    }

                    digest = announced;
                }
                else
                {
                    await using var hashing = new HashingReadStream(change.Put.Content, ownsInner: false);
                    written.Add(contentKey);
                    var info = await _objects.PutAsync(contentKey, hashing, new PutObjectOptions { ExpectedSha256 = change.ExpectedSha256 }, cancellationToken).ConfigureAwait(false);
                    digest = hashing.Completed ? hashing.Sha256 : info.Sha256 ?? throw new ArchiveStorageException(_objects.SystemName, _objects.ContainerName, "put", contentKey, "the store did not read the content to its end");
                    if (info.Sha256 is not null && info.Sha256 != digest)
                    {
                        throw new ArchiveStorageException(_objects.SystemName, _objects.ContainerName, "put", contentKey, $"the store recorded digest {info.Sha256} but {digest} was sent");
                    }

                    if (manifest.ContainsKey(digest))
                    {
                        // Duplicate of content the package already holds (or that this commit just stored).
                        await _objects.DeleteAsync(contentKey, cancellationToken).ConfigureAwait(false);
                        written.Remove(contentKey);
                    }
                    else
                    {
                        manifest[digest] = [contentPath];
                        sizes[contentPath] = hashing.BytesRead.ToString(CultureInfo.InvariantCulture);
                    }
                }

                state[change.LogicalPath] = digest;
            }

            var document = BuildDocument(id, current?.Document, number, commit, manifest, sizes, state);
            var bytes = document.ToJson();
            var digestOfInventory = Convert.ToHexStringLower(SHA256.HashData(bytes));

            // Still ours? (With AbandonedCommitAge set too low, another process may have taken the version over.)
            await EnsureClaimAsync(id, claimKey, commit, number, cancellationToken).ConfigureAwait(false);
            await _objects.PutBytesAsync(versionRoot + InventoryName, bytes, new PutObjectOptions { ContentType = "application/json", ExpectedSha256 = digestOfInventory }, cancellationToken).ConfigureAwait(false);
            written.Add(versionRoot + SidecarName);
            await WriteSidecarAsync(versionRoot + SidecarName, digestOfInventory, cancellationToken).ConfigureAwait(false);

            // The commit point. From here nothing is rolled back: if this write reports a failure it may still have
            // landed (e.g. a lost acknowledgement), and deleting the version's files would then break a committed
            // package. An unfinished version is invisible and removed by the next commit or by recovery instead.
            written.Clear();
            await _objects.PutBytesAsync(objectRoot + InventoryName, bytes, new PutObjectOptions { ContentType = "application/json", ExpectedSha256 = digestOfInventory }, CancellationToken.None).ConfigureAwait(false);
            try
            {
                await WriteSidecarAsync(objectRoot + SidecarName, digestOfInventory, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ArchiveStorageException)
            {
                // The version is committed (the inventory is in place and equals vN/inventory.json, which has a valid
                // sidecar); readers accept that state and the next commit or recovery rewrites this sidecar.
            }

            return ToPackageInventory(id, document, digestOfInventory);
        }
        catch (Exception) when (written.Count > 0)
        {
            await DeleteQuietlyAsync(written).ConfigureAwait(false);
            throw;
        }
    }

    private async Task EnsureClaimAsync(string id, string claimKey, PackageCommit commit, int number, CancellationToken cancellationToken)
    {
        var bytes = await ReadSmallAsync(claimKey, cancellationToken).ConfigureAwait(false);
        OcflClaimDocument? claim = null;
        try
        {
            claim = bytes is null ? null : JsonSerializer.Deserialize(bytes, OcflJsonContext.Default.OcflClaimDocument);
        }
        catch (JsonException)
        {
        }

        if (claim?.Writer != _writerId)
        {
            throw new PackageConcurrencyException(id, commit.ExpectedHead, number - 1);
        }
    }

    private async Task DeleteQuietlyAsync(IEnumerable<string> keys)
    {
        // Content first, the claim (vN/inventory.json) last, so that a crash here still leaves the claim marking the
        // unfinished version for recovery.
        foreach (var key in keys.Reverse())
        {
            try
            {
                await _objects.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ArchiveException)
            {
                // Left for recovery: it lies beyond the head, invisible to readers.
            }
        }
    }

    private static OcflInventoryDocument BuildDocument(string id, OcflInventoryDocument? previous, int number, PackageCommit commit, Dictionary<string, List<string>> manifest, Dictionary<string, string> sizes, Dictionary<string, string> state)
    {
        var versions = new Dictionary<string, OcflVersionDocument>(StringComparer.Ordinal);
        if (previous is not null)
        {
            for (var i = 1; i < number; i++)
            {
                var name = OcflInventoryDocument.VersionName(i);
                versions[name] = previous.Versions[name];
            }
        }

        var stateByDigest = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (path, digest) in state.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!stateByDigest.TryGetValue(digest, out var paths))
            {
                stateByDigest[digest] = paths = [];
            }

            paths.Add(path);
        }

        versions[OcflInventoryDocument.VersionName(number)] = new OcflVersionDocument
        {
            Created = OcflInventoryDocument.FormatCreated(commit.Created ?? DateTimeOffset.UtcNow),
            State = new Dictionary<string, List<string>>(stateByDigest, StringComparer.Ordinal),
            Message = commit.Message,
            User = commit.UserName is null ? null : new OcflUserDocument { Name = commit.UserName, Address = commit.UserAddress },
        };

        var sizeBlock = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (contentPath, size) in sizes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!sizeBlock.TryGetValue(size, out var paths))
            {
                sizeBlock[size] = paths = [];
            }

            paths.Add(contentPath);
        }

        return new OcflInventoryDocument
        {
            Id = id,
            Head = OcflInventoryDocument.VersionName(number),
            ContentDirectory = ContentDirectory,
            Manifest = new Dictionary<string, List<string>>(manifest.OrderBy(p => p.Key, StringComparer.Ordinal), StringComparer.Ordinal),
            Versions = versions,
            Fixity = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal)
            {
                [OcflInventoryDocument.SizeAlgorithm] = new Dictionary<string, List<string>>(sizeBlock, StringComparer.Ordinal),
            },
        };
    }

    // ================================================================== storage root

    private async Task EnsureStorageRootAsync(CancellationToken cancellationToken)
    {
        if (_rootReady)
        {
            return;
        }

        await _rootInit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_rootReady)
            {
                return;
            }

            var layoutKey = _root + "ocfl_layout.json";
            var configKey = _root + "extensions/" + OcflStorageLayout.ExtensionName + "/config.json";
            var existing = await ReadSmallAsync(layoutKey, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                OcflLayoutDocument? layout = null;
                try
                {
                    layout = JsonSerializer.Deserialize(existing, OcflJsonContext.Default.OcflLayoutDocument);
                }
                catch (JsonException)
                {
                }

                if (layout?.Extension != OcflStorageLayout.ExtensionName)
                {
                    throw new ArchiveStorageException(_objects.SystemName, _objects.ContainerName, "open", layoutKey, $"the OCFL storage root uses another layout ('{layout?.Extension}'); this store needs {OcflStorageLayout.ExtensionName}");
                }

                var config = await ReadSmallAsync(configKey, cancellationToken).ConfigureAwait(false);
                OcflLayoutConfigDocument? parsed = null;
                try
                {
                    parsed = config is null ? new OcflLayoutConfigDocument() : JsonSerializer.Deserialize(config, OcflJsonContext.Default.OcflLayoutConfigDocument);
                }
                catch (JsonException)
                {
                }

                if (parsed is not { DigestAlgorithm: "sha256", TupleSize: OcflStorageLayout.TupleSize, NumberOfTuples: OcflStorageLayout.NumberOfTuples })
                {
                    throw new ArchiveStorageException(_objects.SystemName, _objects.ContainerName, "open", configKey, "the storage layout parameters differ from sha256 / 3 / 3");
                }
            }
            else
            {
                var config = JsonSerializer.SerializeToUtf8Bytes(new OcflLayoutConfigDocument { ExtensionName = OcflStorageLayout.ExtensionName }, OcflJsonContext.Readable.OcflLayoutConfigDocument);
                await PutIfAbsentAsync(configKey, config, cancellationToken).ConfigureAwait(false);
                var layout = JsonSerializer.SerializeToUtf8Bytes(new OcflLayoutDocument
                {
                    Extension = OcflStorageLayout.ExtensionName,
                    Description = "OCFL object identifiers are hashed (sha256), the digest split into 3 tuples of 3 characters used as nested folders, and the percent-encoded identifier used as the object root folder.",
                }, OcflJsonContext.Readable.OcflLayoutDocument);
                await PutIfAbsentAsync(layoutKey, layout, cancellationToken).ConfigureAwait(false);
                await PutIfAbsentAsync(_root + StorageNamaste, Encoding.ASCII.GetBytes(StorageNamasteContent), cancellationToken).ConfigureAwait(false);
            }

            _rootReady = true;
        }
        finally
        {
            _rootInit.Release();
        }
    }

    private async Task PutIfAbsentAsync(string key, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _objects.PutBytesAsync(key, bytes, new PutObjectOptions { CreateOnly = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another writer initialised it at the same time.
        }
    }

    // ================================================================== reading

    /// <inheritdoc />
    public async ValueTask<PackageInventory?> GetInventoryAsync(string packageId, CancellationToken cancellationToken = default)
    {
        var id = NormalizePackageId(packageId);
        var loaded = await LoadAsync(id, GetObjectRootOfNormalized(id), cancellationToken).ConfigureAwait(false);
        return loaded is null ? null : ToPackageInventory(id, loaded.Document, loaded.Digest);
    }

    /// <inheritdoc />
    public async ValueTask<ObjectContent?> OpenFileAsync(string packageId, string logicalPath, int? version = null, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        var id = NormalizePackageId(packageId);
        var path = ObjectKey.Normalize(logicalPath, "logicalPath");
        var objectRoot = GetObjectRootOfNormalized(id);
        var loaded = await LoadAsync(id, objectRoot, cancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            return null;
        }

        var number = version ?? loaded.HeadNumber;
        if (number < 1 || number > loaded.HeadNumber)
        {
            return null;
        }

        var state = loaded.Document.Versions[OcflInventoryDocument.VersionName(number)].State;
        var digest = state.FirstOrDefault(p => p.Value.Contains(path, StringComparer.Ordinal)).Key;
        if (digest is null)
        {
            return null;
        }

        var contentPath = loaded.Document.Manifest[digest][0];
        var content = await _objects.GetAsync(objectRoot + contentPath, range, cancellationToken).ConfigureAwait(false)
            ?? throw new PackageCorruptException(id, contentPath, "the content file listed in the inventory is missing");

        var info = content.Info with { Sha256 = digest };
        if (range is not null)
        {
            return new ObjectContent(info, content.Stream, content.Range);
        }

        // Whole-file reads are verified on the fly: damaged content fails at its end instead of being served silently.
        var verifying = new HashingReadStream(content.Stream, ownsInner: true, digest, actual =>
            new PackageCorruptException(id, contentPath, $"content digest is {actual}, the inventory says {digest}"));
        return new ObjectContent(info, verifying, null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Ids come in storage-layout order (ordinal order of the hashed object-root paths), which is stable and resumable
    /// without holding every id in memory: pass the last id seen as <paramref name="after"/> to continue.
    /// </remarks>
    public async IAsyncEnumerable<string> ListPackagesAsync(string? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var afterRoot = after is null ? null : GetObjectRoot(after);
        await foreach (var objectRoot in ListObjectRootsAsync(afterRoot, cancellationToken).ConfigureAwait(false))
        {
            if (await _objects.StatAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false) is null)
            {
                // Never committed (a first commit in progress or crashed).
                continue;
            }

            var folder = objectRoot[..^1];
            var id = OcflStorageLayout.TryDecode(folder[(folder.LastIndexOf('/') + 1)..]);
            if (id is null)
            {
                var bytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
                id = bytes is null ? null : OcflInventoryDocument.Parse(bytes)?.Id;
            }

            if (id is not null)
            {
                yield return id;
            }
        }
    }

    /// <summary>Object-root keys (ending in '/') in layout order, after <paramref name="afterRoot"/> when given.</summary>
    private async IAsyncEnumerable<string> ListObjectRootsAsync(string? afterRoot, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var t1 in ListLevelAsync(_root, afterRoot, tuple: true, cancellationToken).ConfigureAwait(false))
        {
            await foreach (var t2 in ListLevelAsync(t1, afterRoot, tuple: true, cancellationToken).ConfigureAwait(false))
            {
                await foreach (var t3 in ListLevelAsync(t2, afterRoot, tuple: true, cancellationToken).ConfigureAwait(false))
                {
                    await foreach (var objectRoot in ListLevelAsync(t3, afterRoot, tuple: false, cancellationToken).ConfigureAwait(false))
                    {
                        yield return objectRoot;
                    }
                }
            }
        }
    }

    /// <summary>The sub-folders of one level of the layout tree, skipping those that lie entirely before <paramref name="afterRoot"/>.</summary>
    private async IAsyncEnumerable<string> ListLevelAsync(string prefix, string? afterRoot, bool tuple, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await _objects.ListPageAsync(prefix, new ObjectListOptions { Delimited = true, ContinuationToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var folder in page.CommonPrefixes)
            {
                var name = folder[prefix.Length..^1];
                if (tuple && !OcflStorageLayout.IsTuple(name))
                {
                    continue;
                }

                if (afterRoot is not null)
                {
                    var inside = afterRoot.StartsWith(folder, StringComparison.Ordinal);
                    if (tuple ? !inside && string.CompareOrdinal(folder, afterRoot) < 0 : string.CompareOrdinal(folder, afterRoot) <= 0)
                    {
                        continue;
                    }
                }

                yield return folder;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    // ================================================================== loading

    private sealed record LoadedInventory(OcflInventoryDocument Document, byte[] Bytes, string Digest, int HeadNumber, bool SidecarStale);

    /// <summary>
    /// Reads and checks the root inventory. When it disagrees with its sidecar it is accepted only if it is identical
    /// to the head version's inventory, which itself matches its own sidecar (a crash between the root inventory and
    /// its sidecar); otherwise the package is reported corrupt.
    /// </summary>
    private async Task<LoadedInventory?> LoadAsync(string id, string objectRoot, CancellationToken cancellationToken)
    {
        var bytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
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

        return new LoadedInventory(document!, bytes, digest, OcflInventoryDocument.ParseVersionName(document!.Head)!.Value, stale);
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
    {
        await using var content = await _objects.GetAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await content.Stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
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

    private static PackageInventory ToPackageInventory(string id, OcflInventoryDocument document, string digest)
    {
        var sizes = SizesByContentPath(document);
        var head = OcflInventoryDocument.ParseVersionName(document.Head)!.Value;
        var versions = new List<PackageVersion>(head);
        for (var i = 1; i <= head; i++)
        {
            var v = document.Versions[OcflInventoryDocument.VersionName(i)];
            var files = new List<PackageFile>();
            foreach (var (fileDigest, paths) in v.State)
            {
                var contentPath = document.Manifest[fileDigest][0];
                var length = sizes.TryGetValue(contentPath, out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : -1;
                files.AddRange(paths.Select(p => new PackageFile(p, fileDigest, length)));
            }

            files.Sort((a, b) => string.CompareOrdinal(a.LogicalPath, b.LogicalPath));
            versions.Add(new PackageVersion
            {
                Number = i,
                Created = DateTimeOffset.Parse(v.Created, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                Message = v.Message,
                UserName = v.User?.Name,
                UserAddress = v.User?.Address,
                Files = files,
            });
        }

        return new PackageInventory { PackageId = id, Head = head, Versions = versions, InventoryDigest = digest };
    }

    // ================================================================== verify

    /// <inheritdoc />
    public async ValueTask<FixityReport> VerifyAsync(string packageId, CancellationToken cancellationToken = default)
    {
        var id = NormalizePackageId(packageId);
        var objectRoot = GetObjectRootOfNormalized(id);
        var problems = new List<FixityProblem>();
        var checkedAt = DateTimeOffset.UtcNow;
        var filesChecked = 0;
        long bytesChecked = 0;

        // Inventories.
        var rootBytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
        if (rootBytes is null)
        {
            problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, InventoryName, "missing: the package has no committed version"));
            return Report();
        }

        var reference = OcflInventoryDocument.Parse(rootBytes);
        var rootProblem = await CheckInventoryFileAsync(objectRoot, string.Empty, rootBytes, cancellationToken).ConfigureAwait(false);
        if (rootProblem is not null)
        {
            problems.Add(rootProblem);
        }

        var structure = CheckDocument(id, reference);
        if (structure is not null)
        {
            problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, InventoryName, structure));
            reference = await FindLatestValidVersionInventoryAsync(id, objectRoot, cancellationToken).ConfigureAwait(false);
            if (reference is null)
            {
                return Report();
            }
        }

        var head = OcflInventoryDocument.ParseVersionName(reference!.Head)!.Value;
        var expected = new HashSet<string>(StringComparer.Ordinal) { ObjectNamaste, InventoryName, SidecarName };
        for (var i = 1; i <= head; i++)
        {
            var name = OcflInventoryDocument.VersionName(i);
            expected.Add(name + "/" + InventoryName);
            expected.Add(name + "/" + SidecarName);
            var bytes = await ReadSmallAsync(objectRoot + name + "/" + InventoryName, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, name + "/" + InventoryName, "missing"));
                continue;
            }

            var problem = await CheckInventoryFileAsync(objectRoot, name + "/", bytes, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                problems.Add(problem);
            }
            else if (i == head && !bytes.AsSpan().SequenceEqual(rootBytes) && rootProblem is null)
            {
                problems.Add(new FixityProblem(FixityProblemKind.InventoryCorrupt, name + "/" + InventoryName, "the head version's inventory differs from inventory.json"));
            }
        }

        // Content.
        foreach (var (digest, paths) in reference.Manifest)
        {
            foreach (var contentPath in paths)
            {
                expected.Add(contentPath);
                await using var content = await _objects.GetAsync(objectRoot + contentPath, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (content is null)
                {
                    problems.Add(new FixityProblem(FixityProblemKind.ContentMissing, contentPath, $"missing (expected sha256 {digest})"));
                    continue;
                }

                await using var hashing = new HashingReadStream(content.Stream, ownsInner: false);
                await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                filesChecked++;
                bytesChecked += hashing.BytesRead;
                if (hashing.Sha256 != digest)
                {
                    problems.Add(new FixityProblem(FixityProblemKind.ContentDigestMismatch, contentPath, $"expected sha256 {digest}, found {hashing.Sha256} ({hashing.BytesRead} bytes)"));
                }
            }
        }

        if (await _objects.StatAsync(objectRoot + ObjectNamaste, cancellationToken).ConfigureAwait(false) is null)
        {
            problems.Add(new FixityProblem(FixityProblemKind.ContentMissing, ObjectNamaste, "the OCFL object declaration is missing"));
        }

        // Anything else stored under the object root.
        await foreach (var item in _objects.ListAsync(objectRoot, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var relative = item.Key[objectRoot.Length..];
            if (!expected.Contains(relative))
            {
                problems.Add(new FixityProblem(FixityProblemKind.UnexpectedFile, relative, $"not referenced by any inventory ({item.Length} bytes)"));
            }
        }

        return Report();

        FixityReport Report() => new()
        {
            PackageId = id,
            CheckedAt = checkedAt,
            FilesChecked = filesChecked,
            BytesChecked = bytesChecked,
            Problems = problems,
        };
    }

    private async Task<FixityProblem?> CheckInventoryFileAsync(string objectRoot, string folder, byte[] bytes, CancellationToken cancellationToken)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var sidecar = await ReadSidecarDigestAsync(objectRoot + folder + SidecarName, cancellationToken).ConfigureAwait(false);
        if (sidecar is null)
        {
            return new FixityProblem(FixityProblemKind.InventoryCorrupt, folder + SidecarName, "missing");
        }

        return sidecar == digest
            ? null
            : new FixityProblem(FixityProblemKind.InventoryCorrupt, folder + InventoryName, $"sha256 is {digest}, its sidecar says {sidecar}");
    }

    private async Task<OcflInventoryDocument?> FindLatestValidVersionInventoryAsync(string id, string objectRoot, CancellationToken cancellationToken)
    {
        var numbers = new List<int>();
        await foreach (var folder in ListLevelAsync(objectRoot, null, tuple: false, cancellationToken).ConfigureAwait(false))
        {
            if (OcflInventoryDocument.ParseVersionName(folder[objectRoot.Length..^1]) is { } n)
            {
                numbers.Add(n);
            }
        }

        foreach (var n in numbers.OrderDescending())
        {
            var name = OcflInventoryDocument.VersionName(n);
            var bytes = await ReadSmallAsync(objectRoot + name + "/" + InventoryName, cancellationToken).ConfigureAwait(false);
            if (bytes is null || await CheckInventoryFileAsync(objectRoot, name + "/", bytes, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var document = OcflInventoryDocument.Parse(bytes);
            if (CheckDocument(id, document) is null && document!.Head == name)
            {
                return document;
            }
        }

        return null;
    }

    // ================================================================== recovery

    /// <summary>
    /// Cleans up after crashed commits in the whole storage root: removes unfinished versions beyond each package's
    /// head (and object roots whose first commit never completed) that are older than
    /// <see cref="OcflPackageStoreOptions.AbandonedCommitAge"/>, and rewrites root inventory sidecars left stale by a
    /// crash right after the commit point. Run it at start-up; it reads every object root, so it is a maintenance
    /// operation, not something to run per request. Commits also clean their own package before writing.
    /// </summary>
    public async ValueTask<PackageRecoveryReport> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var report = new PackageRecoveryReport();
        var corrupt = new List<string>();
        await foreach (var objectRoot in ListObjectRootsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            report = report with { PackagesScanned = report.PackagesScanned + 1 };
            var gate = Lock(objectRoot);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var bytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
                var document = bytes is null ? null : OcflInventoryDocument.Parse(bytes);
                var head = 0;
                if (bytes is not null)
                {
                    if (document?.Id is null)
                    {
                        corrupt.Add(objectRoot);
                        continue;
                    }

                    LoadedInventory? loaded;
                    try
                    {
                        loaded = await LoadAsync(document.Id, objectRoot, cancellationToken).ConfigureAwait(false);
                    }
                    catch (PackageCorruptException)
                    {
                        corrupt.Add(document.Id);
                        continue;
                    }

                    head = loaded!.HeadNumber;
                    if (loaded.SidecarStale)
                    {
                        await WriteSidecarAsync(objectRoot + SidecarName, loaded.Digest, cancellationToken).ConfigureAwait(false);
                        report = report with { InventorySidecarsRepaired = report.InventorySidecarsRepaired + 1 };
                    }
                }

                var cleanup = await RemoveUnfinishedVersionsAsync(objectRoot, head, cancellationToken).ConfigureAwait(false);
                report = report with
                {
                    AbandonedVersionsRemoved = report.AbandonedVersionsRemoved + cleanup.Removed,
                    ObjectsDeleted = report.ObjectsDeleted + cleanup.Deleted,
                    UnfinishedVersionsKept = report.UnfinishedVersionsKept + cleanup.Kept,
                    UncommittedPackagesRemoved = report.UncommittedPackagesRemoved + (head == 0 && cleanup.Kept == 0 && cleanup.Deleted > 0 ? 1 : 0),
                };
            }
            finally
            {
                gate.Release();
            }
        }

        return report with { CorruptPackages = corrupt };
    }

    private readonly record struct Cleanup(int Removed, int Kept, int Deleted);

    /// <summary>
    /// Deletes version folders beyond <paramref name="head"/> (unfinished commits) older than the configured age; with
    /// head 0 (never committed) also the object declaration, so the object root disappears. Caller holds the package lock.
    /// </summary>
    private async Task<Cleanup> RemoveUnfinishedVersionsAsync(string objectRoot, int head, CancellationToken cancellationToken)
    {
        var removed = 0;
        var kept = 0;
        var deleted = 0;
        var unfinished = new List<string>();
        await foreach (var folder in ListLevelAsync(objectRoot, null, tuple: false, cancellationToken).ConfigureAwait(false))
        {
            if (OcflInventoryDocument.ParseVersionName(folder[objectRoot.Length..^1]) is { } n && n > head)
            {
                unfinished.Add(folder);
            }
        }

        var threshold = DateTimeOffset.UtcNow - _options.AbandonedCommitAge;
        foreach (var folder in unfinished)
        {
            var keys = new List<ObjectInfo>();
            await foreach (var item in _objects.ListAsync(folder, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                keys.Add(item);
            }

            if (_options.AbandonedCommitAge > TimeSpan.Zero && keys.Any(k => k.LastModified > threshold))
            {
                kept++;
                continue;
            }

            // The claim (vN/inventory.json) goes last so an interrupted cleanup still marks the version unfinished.
            foreach (var item in keys.OrderBy(k => k.Key == folder + InventoryName ? 1 : 0))
            {
                if (await _objects.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }

            removed++;
        }

        if (head == 0 && kept == 0)
        {
            // A package that never committed: remove whatever else its first attempt left (e.g. the declaration).
            await foreach (var item in _objects.ListAsync(objectRoot, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (await _objects.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }
        }

        return new Cleanup(removed, kept, deleted);
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
