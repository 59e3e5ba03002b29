using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Archive.Storage;

namespace Archive.Packages;

/// <remarks>
/// <para><b>Journal</b> (<see cref="OcflPackageStoreOptions.JournalLimit"/> &gt; 0, one writing process). A change to a
/// package that has a version is acknowledged as a journal entry beside the OCFL object, in the object's extension
/// folder <c>extensions/archive-journal/</c> (the object stays valid OCFL 1.1): its new content is streamed, hashed and
/// made durable under <c>content/&lt;version&gt;-&lt;nonce&gt;/&lt;logical path&gt;</c> (content the package already
/// holds is not kept again), then <c>entries/&lt;version&gt;-&lt;SHA-256 of the entry&gt;.json</c> — the logical version it makes, the SHA-256 of
/// the root inventory it was made on, who, when, why, every path put (digest, size) or removed, and where its new
/// content lies — is written create-only: <b>the change's commit point</b>. A crash before it leaves only unreferenced
/// content (removed by recovery); a crash after it leaves the change committed. The cost is the change's own bytes and
/// one small object, whatever the package's history.</para>
/// <para><b>Folding.</b> Once <see cref="OcflPackageStoreOptions.JournalLimit"/> entries are live (and by recovery when
/// the journal has been switched off), they are settled into one OCFL version vN whose state is the state after the
/// last of them: the content that state needs is copied (and verified) into <c>vN/content</c>,
/// <c>folds/vN.json</c> records the entries (so every logical version stays readable and attributed — content that a
/// later entry superseded stays in the journal, referenced from there), and vN is committed like any version (claim,
/// version inventory, root inventory = commit point). The folded entries and the copied journal content are deleted
/// afterwards; a crash before that leaves entries numbered at or below the settled head (ignored, removed by
/// recovery). Logical version numbers, contents, authors and tags (<see cref="PackageInventory.InventoryDigest"/>) do not
/// change when a fold happens.</para>
/// </remarks>
public sealed partial class OcflPackageStore
{
    /// <summary>Commits a change as a journal entry (caller holds the package lock; the package has a version).</summary>
    private async Task<PackageInventory> CommitEntryAsync(string id, string objectRoot, PackageView view, PackageCommit commit, List<Change> changes, CancellationToken cancellationToken)
    {
        var state = new Dictionary<string, string>(view.HeadState, StringComparer.Ordinal);
        ApplyAndCheck(state, changes);
        var number = view.Head + 1;
        var folder = JournalContentFolder + number.ToString("D10", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12] + "/";
        var contents = new Dictionary<string, string>(StringComparer.Ordinal);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var documented = new List<JournalChangeDocument>(changes.Count);
        var written = new List<string>();
        var staging = changes.Any(c => c.Staged is not null) ? _objects.GetService<IObjectStagingStore>() : null;
        bool Known(string digest) => view.ContentPath(digest) is not null || contents.ContainsKey(digest);
        long SizeOf(string digest) => sizes.TryGetValue(digest, out var s) ? s : view.Size(digest);
        try
        {
            foreach (var change in changes)
            {
                if (!change.IsPut)
                {
                    documented.Add(new JournalChangeDocument { Path = change.LogicalPath });
                    continue;
                }

                var relative = folder + change.LogicalPath;
                var key = objectRoot + relative;
                string digest;
                if (change.Staged is { } staged)
                {
                    if (change.ExpectedSha256 is { } expected && expected != staged.Sha256)
                    {
                        throw new ChecksumMismatchException(_objects.SystemName, _objects.ContainerName, key, expected, staged.Sha256);
                    }

                    digest = staged.Sha256;
                    if (!Known(digest))
                    {
                        written.Add(key);
                        if (staging is null)
                        {
                            var read = staged.OpenRead();
                            await using (read.ConfigureAwait(false))
                            {
                                await PutHashedAsync(read, digest, key, cancellationToken).ConfigureAwait(false);
                            }
                        }
                        else
                        {
                            await staging.PublishAsync(staged, key, new PutObjectOptions { ExpectedSha256 = digest, ExpectedLength = staged.Length }, cancellationToken).ConfigureAwait(false);
                        }

                        contents[digest] = relative;
                        sizes[digest] = staged.Length;
                    }
                }
                else if (change.ExpectedSha256 is { } announced && Known(announced))
                {
                    digest = await VerifyStoredAsync(change.Put!.Content, announced, key, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    written.Add(key);
                    var (sha, length) = await PutHashedAsync(change.Put!.Content, change.ExpectedSha256, key, cancellationToken).ConfigureAwait(false);
                    digest = sha;
                    if (Known(digest))
                    {
                        await _objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false); // a duplicate of content the package holds
                        written.Remove(key);
                    }
                    else
                    {
                        contents[digest] = relative;
                        sizes[digest] = length;
                    }
                }

                state[change.LogicalPath] = digest;
                documented.Add(new JournalChangeDocument { Path = change.LogicalPath, Sha256 = digest, Size = SizeOf(digest) });
            }
        }
        catch (Exception)
        {
            await DeleteQuietlyAsync(written).ConfigureAwait(false);
            throw;
        }

        var entry = new JournalEntryDocument
        {
            Version = number,
            Base = view.Ocfl.Digest,
            Created = OcflInventoryDocument.FormatCreated(commit.Created ?? _time.GetUtcNow()),
            Message = commit.Message,
            User = commit.UserName is null ? null : new OcflUserDocument { Name = commit.UserName, Address = commit.UserAddress },
            Changes = documented,
            Contents = contents,
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, OcflJsonContext.Default.JournalEntryDocument);
        var digestOfEntry = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var entryKey = objectRoot + EntriesFolder + EntryName(number, digestOfEntry);

        // The commit point. A failure reported by this write may still have landed: nothing is rolled back, and the
        // package's view is read from storage again next time.
        try
        {
            await _objects.PutBytesAsync(entryKey, bytes, new PutObjectOptions { CreateOnly = true, ContentType = "application/json", ExpectedSha256 = digestOfEntry }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // The same bytes under the same name: this very entry is already stored (a retried write).
        }
        catch (Exception)
        {
            CacheView(objectRoot, view.Ocfl, null);
            throw;
        }

        var next = view.Append(new LiveEntry(entry, digestOfEntry), state);
        CacheView(objectRoot, view.Ocfl, next);
        if (next.Live.Count >= _options.JournalLimit)
        {
            try
            {
                next = await FoldAsync(id, objectRoot, next, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ArchiveException or IOException)
            {
                // The change is committed (its entry is durable); the entries are folded by a later commit or by recovery.
            }
        }

        return next.Inventory;
    }

    /// <summary>
    /// Settles the live entries into OCFL version head + 1 (caller holds the package lock) and returns the new view.
    /// The logical package is unchanged: same versions, contents and tags.
    /// </summary>
    private async Task<PackageView> FoldAsync(string id, string objectRoot, PackageView view, CancellationToken cancellationToken)
    {
        if (view.Live.Count == 0)
        {
            return view;
        }

        if (!_options.SharedStorage)
        {
            await RemoveUnfinishedVersionsAsync(objectRoot, view.OcflHead, cancellationToken).ConfigureAwait(false);
        }

        var number = view.OcflHead + 1;
        var version = OcflInventoryDocument.VersionName(number);
        var versionRoot = objectRoot + version + "/";
        var last = view.Live[^1].Document;
        var meta = new PackageCommit
        {
            Message = $"{FoldMessagePrefix}{view.FoldedHead + 1}-{view.Head} (journal entries in {FoldsFolder}{version}.json)",
            UserName = last.User?.Name,
            UserAddress = last.User?.Address,
            Created = _time.GetUtcNow(),
        };
        await using var claim = await ClaimVersionAsync(id, objectRoot, number, meta, cancellationToken).ConfigureAwait(false);
        var written = new List<string> { versionRoot + InventoryName };
        var current = view.Ocfl;
        var manifest = current.Document.Manifest.ToDictionary(p => p.Key, p => p.Value.ToList(), StringComparer.Ordinal);
        var sizes = SizesByContentPath(current.Document);
        var state = new Dictionary<string, string>(view.HeadState, StringComparer.Ordinal);
        var copied = new List<string>();
        try
        {
            foreach (var (path, digest) in state.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (manifest.ContainsKey(digest))
                {
                    continue;
                }

                var (source, size) = view.JournalContent[digest];
                var contentPath = version + "/" + ContentDirectory + "/" + claim.ContentPrefix + path;
                written.Add(objectRoot + contentPath);
                await using (var content = await _objects.GetAsync(objectRoot + source, cancellationToken: cancellationToken).ConfigureAwait(false)
                    ?? throw new PackageCorruptException(id, source, "the journal content an entry references is missing"))
                {
                    var (actual, length) = await PutHashedAsync(content.Stream, digest, objectRoot + contentPath, cancellationToken).ConfigureAwait(false);
                    if (actual != digest)
                    {
                        throw new PackageCorruptException(id, source, $"content digest is {actual}, the journal says {digest}");
                    }

                    size = length;
                }

                manifest[digest] = [contentPath];
                sizes[contentPath] = size.ToString(CultureInfo.InvariantCulture);
                copied.Add(objectRoot + source);
            }

            var fold = new JournalFoldDocument
            {
                OcflVersion = version,
                Entries = view.Live.Select(l => l.Document).ToList(),
                EntryDigests = view.Live.Select(l => l.Digest).ToList(),
            };
            var foldKey = objectRoot + FoldsFolder + version + ".json";
            written.Add(foldKey);
            await _objects.PutBytesAsync(foldKey, JsonSerializer.SerializeToUtf8Bytes(fold, OcflJsonContext.Default.JournalFoldDocument), new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);

            var document = BuildDocument(id, current.Document, number, meta, manifest, sizes, state);
            var loaded = await CommitDocumentAsync(id, objectRoot, claim, meta, number, document, written, cancellationToken).ConfigureAwait(false); // the fold's commit point
            var folds = new Dictionary<int, JournalFoldDocument>(view.Folds) { [number] = fold };
            var next = ComposeView(id, loaded, folds, [], [.. view.LogicalOfOcfl.Take(view.OcflHead), view.Head]);
            CacheView(objectRoot, loaded, next);
            await RemoveFoldedAsync(objectRoot, view.Live, copied).ConfigureAwait(false);
            return next;
        }
        catch (Exception) when (written.Count > 0)
        {
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
    /// After a fold: deletes the folded entries and the journal content the version now holds a copy of — of these
    /// entries, or kept by an earlier fold and used again (quietly: leftovers are ignored and removed by recovery).
    /// </summary>
    private async Task RemoveFoldedAsync(string objectRoot, IEnumerable<LiveEntry> folded, IEnumerable<string> copied)
    {
        var keys = new List<string>(copied);
        foreach (var (entry, digest) in folded)
        {
            keys.Add(objectRoot + EntriesFolder + EntryName(entry.Version, digest));
        }

        foreach (var key in keys)
        {
            try
            {
                await _objects.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ArchiveException)
            {
            }
        }
    }

    /// <summary>
    /// Recovery of one package's journal (caller holds the package lock): removes entries and folds that are not part of
    /// the package (left by a crash after a fold's commit point, or by a fold or an earlier life that did not commit)
    /// and journal content no entry references; folds the live entries when the journal is switched off. Returns the
    /// number of objects deleted.
    /// </summary>
    private async Task<int> RecoverJournalAsync(string id, string objectRoot, CancellationToken cancellationToken)
    {
        var view = await LoadViewAsync(id, objectRoot, cancellationToken, fromStorage: true).ConfigureAwait(false);
        if (view is null)
        {
            return 0;
        }

        if (_options.JournalLimit == 0 && view.Live.Count > 0)
        {
            view = await FoldAsync(id, objectRoot, view, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            CacheView(objectRoot, view.Ocfl, view);
        }

        var keep = JournalKeys(view);
        var deleted = 0;
        await foreach (var item in _objects.ListAsync(objectRoot + JournalRoot, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!keep.Contains(item.Key[objectRoot.Length..]) && await _objects.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Every journal object (relative to the object root) the package's view references.</summary>
    private static HashSet<string> JournalKeys(PackageView view)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var j in view.Folds.Keys)
        {
            keep.Add(FoldsFolder + OcflInventoryDocument.VersionName(j) + ".json");
        }

        foreach (var entry in view.Live)
        {
            keep.Add(EntriesFolder + EntryName(entry.Document.Version, entry.Digest));
        }

        foreach (var (path, _) in view.JournalContent.Values)
        {
            keep.Add(path);
        }

        return keep;
    }
}
