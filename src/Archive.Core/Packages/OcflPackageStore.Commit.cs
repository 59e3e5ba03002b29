using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Diagnostics;
using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    /// <inheritdoc />
    /// <remarks>Traced as the activity <c>archive.package.commit</c> and measured by <c>archive.package.commits</c> and
    /// <c>archive.package.commit.duration</c> (<see cref="ArchiveDiagnostics.MeterName"/>).</remarks>
    public async ValueTask<PackageInventory> CommitAsync(string packageId, PackageCommit commit, CancellationToken cancellationToken = default)
    {
        var collection = new KeyValuePair<string, object?>(ArchiveTelemetry.CollectionTag, _options.Prefix ?? string.Empty);
        using var activity = ArchiveTelemetry.Source.StartActivity("archive.package.commit");
        activity?.SetTag(collection.Key, collection.Value);
        activity?.SetTag(ArchiveTelemetry.PackageIdTag, packageId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var inventory = await CommitCoreAsync(packageId, commit, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(ArchiveTelemetry.PackageVersionTag, inventory.Head);
            ArchiveTelemetry.Commits.Add(1, collection);
            ArchiveTelemetry.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, collection);
            return inventory;
        }
        catch (Exception ex)
        {
            var error = new KeyValuePair<string, object?>(ArchiveTelemetry.ErrorTypeTag, ex.GetType().FullName);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.SetTag(error.Key, error.Value);
            ArchiveTelemetry.Commits.Add(1, collection, error);
            ArchiveTelemetry.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, collection, error);
            throw;
        }
    }

    private async ValueTask<PackageInventory> CommitCoreAsync(string packageId, PackageCommit commit, CancellationToken cancellationToken)
    {
        var id = NormalizePackageId(packageId);
        ArgumentNullException.ThrowIfNull(commit);
        var objectRoot = GetObjectRootOfNormalized(id);
        var changes = ValidateCommit(commit, objectRoot, journal: _options.JournalLimit > 0);

        await EnsureStorageRootAsync(cancellationToken).ConfigureAwait(false);
        var gate = Lock(objectRoot);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var view = await LoadViewAsync(id, objectRoot, cancellationToken, locked: true).ConfigureAwait(false);
            if (view?.Ocfl is { SidecarStale: true })
            {
                await WriteSidecarAsync(objectRoot + SidecarName, view.Ocfl.Digest, CancellationToken.None).ConfigureAwait(false);
            }

            var head = view?.Head ?? 0;
            if (commit.ExpectedHead is { } expected && expected != head)
            {
                throw new PackageConcurrencyException(id, expected, head);
            }

            if (view is not null && _options.JournalLimit > 0)
            {
                return await CommitEntryAsync(id, objectRoot, view, commit, changes, cancellationToken).ConfigureAwait(false);
            }

            if (view is { Live.Count: > 0 })
            {
                // The journal was switched off: its entries are settled first, then this change is a version of its own.
                view = await FoldAsync(id, objectRoot, view, cancellationToken).ConfigureAwait(false);
            }

            var state = view is null
                ? new Dictionary<string, string>(StringComparer.Ordinal)
                : new Dictionary<string, string>(view.HeadState, StringComparer.Ordinal);
            ApplyAndCheck(state, changes);

            var ocflHead = view?.OcflHead ?? 0;
            if (!_options.SharedStorage)
            {
                // One writing process: anything beyond the head is a crash of this store's earlier life.
                await RemoveUnfinishedVersionsAsync(objectRoot, ocflHead, cancellationToken).ConfigureAwait(false);
            }

            return await WriteVersionAsync(id, objectRoot, view, ocflHead + 1, commit, changes, state, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A validated change: a put (from a stream, or from content staged in <see cref="_objects"/>) or a removal.</summary>
    private sealed record Change(int Index, string LogicalPath, PackageChange.PutFile? Put, string? ExpectedSha256, StagedObject? Staged = null)
    {
        public bool IsPut => Put is not null || Staged is not null;
    }

    private static List<Change> ValidateCommit(PackageCommit commit, string objectRoot, bool journal)
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
                // The content key must be a valid key too (length limits include the package's folders, and the
                // commit's own folder on a shared root).
                _ = ObjectKey.Normalize(objectRoot + "v999999/" + ContentDirectory + "/" + CommitFolder("00000000") + path, field);
                if (journal)
                {
                    _ = ObjectKey.Normalize(objectRoot + JournalContentFolder + "0000000000-000000000000/" + path, field); // as a journal entry's content
                }
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
            var (isPut, announced) = change switch
            {
                PackageChange.PutFile p => (true, p.ExpectedSha256),
                PackageChange.PutStaged p => (true, p.ExpectedSha256),
                _ => (false, null),
            };
            if (isPut)
            {
                if (change is PackageChange.PutFile { Content: null } or PackageChange.PutStaged { Staged: null })
                {
                    errors.Add(new ValidationError($"changes[{i}].content", "commit.content-null", "The content stream must not be null."));
                }

                if (announced is { } sha)
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

                result.Add(new Change(i, path, change as PackageChange.PutFile, expected, (change as PackageChange.PutStaged)?.Staged));
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
            if (!change.IsPut)
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
            if (change.IsPut && folders.Contains(change.LogicalPath))
            {
                errors.Add(new ValidationError($"changes[{change.Index}].logicalPath", "logicalPath.conflict", $"'{change.LogicalPath}' is also a folder of other files in the package."));
            }
            else if (change.IsPut)
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

    private async Task<PackageInventory> WriteVersionAsync(string id, string objectRoot, PackageView? view, int number, PackageCommit commit, List<Change> changes, Dictionary<string, string> state, CancellationToken cancellationToken)
    {
        var current = view?.Ocfl;
        var version = OcflInventoryDocument.VersionName(number);
        var versionRoot = objectRoot + version + "/";
        await using var claim = await ClaimVersionAsync(id, objectRoot, number, commit, cancellationToken).ConfigureAwait(false);
        var written = new List<string> { versionRoot + InventoryName };
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

            var staging = changes.Any(c => c.Staged is not null) ? _objects.GetService<IObjectStagingStore>() : null;
            foreach (var change in changes)
            {
                if (!change.IsPut)
                {
                    continue;
                }

                if (!claim.Held)
                {
                    // Stalled past the lease: another writer may own the version now.
                    throw new PackageConcurrencyException(id, commit.ExpectedHead, number - 1);
                }

                var contentPath = version + "/" + ContentDirectory + "/" + claim.ContentPrefix + change.LogicalPath;
                var contentKey = objectRoot + contentPath;
                string digest;
                if (change.Staged is { } staged)
                {
                    digest = await PutStagedAsync(change, staged, staging, contentKey, contentPath, manifest, sizes, written, cancellationToken).ConfigureAwait(false);
                }
                else if (change.ExpectedSha256 is { } announced && manifest.ContainsKey(announced))
                {
                    digest = await VerifyStoredAsync(change.Put!.Content, announced, contentKey, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    digest = await PutStreamAsync(change.Put!.Content, change.ExpectedSha256, contentKey, contentPath, manifest, sizes, written, cancellationToken).ConfigureAwait(false);
                }

                state[change.LogicalPath] = digest;
            }

            var document = BuildDocument(id, current?.Document, number, commit, manifest, sizes, state);
            var loaded = await CommitDocumentAsync(id, objectRoot, claim, commit, number, document, written, cancellationToken).ConfigureAwait(false);
            var next = ComposeView(id, loaded, view?.Folds ?? new Dictionary<int, JournalFoldDocument>(), []);
            CacheView(objectRoot, loaded, next);
            return next.Inventory;
        }
        catch (Exception) when (written.Count > 0)
        {
            // This commit's content keys are its alone (on a shared root every commit writes into a folder of its own),
            // so they go in any case; the claim only while it is still ours.
            await claim.StopAsync().ConfigureAwait(false);
            if (!claim.Held)
            {
                written.Remove(versionRoot + InventoryName);
            }

            await DeleteQuietlyAsync(written).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The end of a commit (of a change, or of a fold): checks the claim is still this writer's, writes the version's
    /// inventory and sidecar, then the root inventory — <b>the commit point</b> — and its sidecar. From the commit point
    /// nothing is rolled back (<paramref name="written"/> is cleared first): if that write reports a failure it may still
    /// have landed (e.g. a lost acknowledgement), and deleting the version's files would then break a committed package;
    /// an unfinished version is invisible and removed by the next commit or by recovery instead.
    /// </summary>
    private async Task<LoadedInventory> CommitDocumentAsync(string id, string objectRoot, VersionClaim claim, PackageCommit commit, int number, OcflInventoryDocument document, List<string> written, CancellationToken cancellationToken)
    {
        var versionRoot = objectRoot + OcflInventoryDocument.VersionName(number) + "/";
        var bytes = document.ToJson();
        var digestOfInventory = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // Still ours, with time to finish? On a shared root a writer stalled past its lease may have been taken over.
        await claim.StopAsync().ConfigureAwait(false);
        await EnsureClaimAsync(id, claim, versionRoot + InventoryName, commit, number, cancellationToken).ConfigureAwait(false);
        await _objects.PutBytesAsync(versionRoot + InventoryName, bytes, new PutObjectOptions { ContentType = "application/json", ExpectedSha256 = digestOfInventory }, cancellationToken).ConfigureAwait(false);
        written.Add(versionRoot + SidecarName);
        await WriteSidecarAsync(versionRoot + SidecarName, digestOfInventory, cancellationToken).ConfigureAwait(false);

        written.Clear();
        ForgetInventory(objectRoot);
        var rootInfo = await _objects.PutBytesAsync(objectRoot + InventoryName, bytes, new PutObjectOptions { ContentType = "application/json", ExpectedSha256 = digestOfInventory }, CancellationToken.None).ConfigureAwait(false);
        var loaded = new LoadedInventory(document, bytes, digestOfInventory, number, SidecarStale: false);
        CacheInventory(objectRoot, loaded, rootInfo.ETag);
        try
        {
            await WriteSidecarAsync(objectRoot + SidecarName, digestOfInventory, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ArchiveStorageException)
        {
            // The version is committed (the inventory is in place and equals vN/inventory.json, which has a valid
            // sidecar); readers accept that state and the next commit or recovery rewrites this sidecar.
        }

        return loaded;
    }

    /// <summary>Streams a new file to its content key, hashing it; a duplicate of content the package holds is deleted again.</summary>
    private async Task<string> PutStreamAsync(Stream content, string? expectedSha256, string contentKey, string contentPath, Dictionary<string, List<string>> manifest, Dictionary<string, string> sizes, List<string> written, CancellationToken cancellationToken)
    {
        written.Add(contentKey);
        var (digest, length) = await PutHashedAsync(content, expectedSha256, contentKey, cancellationToken).ConfigureAwait(false);
        if (manifest.ContainsKey(digest))
        {
            // Duplicate of content the package already holds (or that this commit just stored).
            await _objects.DeleteAsync(contentKey, cancellationToken).ConfigureAwait(false);
            written.Remove(contentKey);
        }
        else
        {
            manifest[digest] = [contentPath];
            sizes[contentPath] = length.ToString(CultureInfo.InvariantCulture);
        }

        return digest;
    }

    /// <summary>Streams content to <paramref name="key"/> while hashing it; returns its digest and length as sent.</summary>
    private async Task<(string Sha256, long Length)> PutHashedAsync(Stream content, string? expectedSha256, string key, CancellationToken cancellationToken)
    {
        await using var hashing = new HashingReadStream(content, ownsInner: false);
        var info = await _objects.PutAsync(key, hashing, new PutObjectOptions { ExpectedSha256 = expectedSha256 }, cancellationToken).ConfigureAwait(false);
        var digest = hashing.Completed ? hashing.Sha256 : info.Sha256 ?? throw new ArchiveStorageException(_objects.SystemName, _objects.ContainerName, "put", key, "the store did not read the content to its end");
        if (info.Sha256 is not null && info.Sha256 != digest)
        {
            throw new ArchiveStorageException(_objects.SystemName, _objects.ContainerName, "put", key, $"the store recorded digest {info.Sha256} but {digest} was sent");
        }

        return (digest, hashing.Completed ? hashing.BytesRead : info.Length);
    }

    /// <summary>Content the package already holds under <paramref name="announced"/>: the stream is hashed to verify it, nothing is stored.</summary>
    private async Task<string> VerifyStoredAsync(Stream content, string announced, string key, CancellationToken cancellationToken)
    {
        await using var hashing = new HashingReadStream(content, ownsInner: false);
        await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return hashing.Sha256 == announced
            ? announced
            : throw new ChecksumMismatchException(_objects.SystemName, _objects.ContainerName, key, announced, hashing.Sha256);
    }

    /// <summary>
    /// A file whose content is staged in the object store: published under its content key with the digest the object
    /// store computed when it wrote the bytes (no copy, no second hash), or nothing at all when the package already holds
    /// that digest. Without the staging capability (a store that cannot publish) the staged bytes are read and put.
    /// </summary>
    private async Task<string> PutStagedAsync(Change change, StagedObject staged, IObjectStagingStore? staging, string contentKey, string contentPath, Dictionary<string, List<string>> manifest, Dictionary<string, string> sizes, List<string> written, CancellationToken cancellationToken)
    {
        if (staging is null)
        {
            var read = staged.OpenRead();
            await using (read.ConfigureAwait(false))
            {
                return await PutStreamAsync(read, change.ExpectedSha256 ?? staged.Sha256, contentKey, contentPath, manifest, sizes, written, cancellationToken).ConfigureAwait(false);
            }
        }

        if (change.ExpectedSha256 is { } expected && expected != staged.Sha256)
        {
            throw new ChecksumMismatchException(_objects.SystemName, _objects.ContainerName, contentKey, expected, staged.Sha256);
        }

        if (manifest.ContainsKey(staged.Sha256))
        {
            return staged.Sha256;
        }

        written.Add(contentKey);
        var info = await staging.PublishAsync(staged, contentKey, new PutObjectOptions { ExpectedSha256 = staged.Sha256, ExpectedLength = staged.Length }, cancellationToken).ConfigureAwait(false);
        if (info.Sha256 is not null && info.Sha256 != staged.Sha256)
        {
            throw new ArchiveStorageException(_objects.SystemName, _objects.ContainerName, "publish", contentKey, $"the store recorded digest {info.Sha256} but {staged.Sha256} was staged");
        }

        manifest[staged.Sha256] = [contentPath];
        sizes[contentPath] = staged.Length.ToString(CultureInfo.InvariantCulture);
        return staged.Sha256;
    }

    private async Task EnsureClaimAsync(string id, VersionClaim held, string claimKey, PackageCommit commit, int number, CancellationToken cancellationToken)
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

        if (claim?.Nonce != held.Nonce)
        {
            held.MarkLost();
        }

        if (!held.Safe)
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
}
