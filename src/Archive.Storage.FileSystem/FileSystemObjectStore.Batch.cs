using System.Security.Cryptography;

namespace Archive.Storage.FileSystem;

/// <summary>Ordered batches of create-only writes with one durability flush (<see cref="IObjectBatchStore"/>).</summary>
/// <remarks>
/// <para>A batch stages every item's content and sidecar without flushing them, then makes all staged files durable at
/// once (<see cref="FileSystemDurability.GroupSync"/>: one shared <c>syncfs</c>; <see cref="FileSystemDurability.Fsync"/>:
/// the staged files fsynced in parallel), then gives the items their names in order (content, then sidecar, item after
/// item, create-only), and finally makes the names durable at once (one <c>syncfs</c>, or one fsync per folder the names
/// went into). With group sync a batch of n items costs two flushes instead of about 4n fsyncs; in Fsync mode it saves
/// the folder fsyncs, and the file fsyncs only where the disk's journal commits concurrent ones together (on the
/// virtual disk measured here they hardly do: docs/benchmarks.md, audit-append).</para>
/// <para><b>Prefix after a crash.</b> The names are made in order and flushed together; a journaling file system (ext4,
/// xfs, btrfs) commits metadata changes in the order they were made, so after a crash before the final flush the
/// names that survive are a prefix of the batch. A crash between an item's two renames leaves its content without
/// its sidecar, which <see cref="RecoverAsync"/> rolls forward as for a single put.</para>
/// </remarks>
public sealed partial class FileSystemObjectStore : IObjectBatchStore
{

    /// <inheritdoc />
    public async ValueTask<int> CreateInOrderAsync(IReadOnlyList<ObjectBatchItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ThrowIfDisposed();
        var keys = new string[items.Count];
        var expected = new string?[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException("A batch item is null.", nameof(items));
            keys[i] = ObjectKey.Normalize(item.Key);
            expected[i] = ValidatePutOptions(item.Options ?? new PutObjectOptions());
        }

        var staged = new List<string>(items.Count * 2);
        var key = string.Empty;
        try
        {
            // Stage, unflushed, up to the first key that exists (nothing after it would be written anyway).
            var sidecars = new List<Sidecar>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                key = keys[i];
                if (File.Exists(ContentPath(key)))
                {
                    break;
                }

                var stagedContent = Path.Combine(_instanceStaging, Guid.NewGuid().ToString("N") + ".content");
                staged.Add(stagedContent);
                staged.Add(Path.ChangeExtension(stagedContent, ".meta"));
                sidecars.Add(StageUnflushed(key, items[i], expected[i], stagedContent));
            }

            if (sidecars.Count == 0)
            {
                return 0;
            }

            // Every staged file on disk before any of them gets its name.
            await FlushStagedAsync(staged, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            var created = 0;
            var folders = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                for (; created < sidecars.Count; created++)
                {
                    key = keys[created];
                    var contentPath = ContentPath(key);
                    var metaPath = MetaPath(key);
                    var keyLock = KeyLock(key);
                    await keyLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    try
                    {
                        if (Directory.Exists(contentPath))
                        {
                            throw KeyConflict(key, "put", $"'{key}' is a folder of other objects");
                        }

                        try
                        {
                            PublishContent(key, staged[2 * created], contentPath, createOnly: true, syncDirectory: false);
                        }
                        catch (ObjectAlreadyExistsException)
                        {
                            break;
                        }

                        PublishSidecar(key, staged[(2 * created) + 1], metaPath, syncDirectory: false);
                        folders.Add(Path.GetDirectoryName(contentPath)!);
                        folders.Add(Path.GetDirectoryName(metaPath)!);
                    }
                    finally
                    {
                        keyLock.Release();
                    }
                }
            }
            finally
            {
                // The names made so far on disk before returning — also when a later item failed, so that what
                // others may already have seen (and chained on) is durable.
                if (folders.Count > 0)
                {
                    await FlushNamesAsync(folders).ConfigureAwait(false);
                }
            }

            return created;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, "put", key, ex.Message, ex);
        }
        finally
        {
            foreach (var path in staged)
            {
                TryDelete(path);
            }
        }
    }

    /// <summary>Writes an item's content and sidecar to staging without flushing them; returns the sidecar.</summary>
    private Sidecar StageUnflushed(string key, ObjectBatchItem item, string? expectedSha, string stagedContent)
    {
        var options = item.Options;
        var content = item.Content.Span;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        if (options?.ExpectedLength is { } expectedLength && expectedLength != content.Length)
        {
            throw new ChecksumMismatchException(System, RootPath, key, $"{expectedLength} bytes", $"{content.Length} bytes");
        }

        if (expectedSha is not null && !string.Equals(expectedSha, sha256, StringComparison.Ordinal))
        {
            throw new ChecksumMismatchException(System, RootPath, key, expectedSha, sha256);
        }

        long ticks;
        using (var file = new FileStream(stagedContent, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            file.Write(content);
            ticks = NextTicks();
            File.SetLastWriteTimeUtc(file.SafeFileHandle, new DateTime(ticks, DateTimeKind.Utc));
        }

        var sidecar = new Sidecar
        {
            Key = key,
            Length = content.Length,
            Sha256 = sha256,
            ContentTicks = ticks,
            ContentType = options?.ContentType,
            Metadata = options?.Metadata is { Count: > 0 } m ? new Dictionary<string, string>(m, StringComparer.Ordinal) : null,
            Retention = options?.Retention is { } r ? new SidecarRetention(r.Mode, r.RetainUntil.ToUniversalTime()) : null,
        };
        using (var file = new FileStream(Path.ChangeExtension(stagedContent, ".meta"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            file.Write(sidecar.ToJson());
        }

        return sidecar;
    }

    /// <summary>Makes the staged files durable: one group flush, or (Fsync mode) an fsync of each, in parallel.</summary>
    private Task FlushStagedAsync(List<string> staged, CancellationToken cancellationToken)
    {
        if (_groupSync is not null)
        {
            return _groupSync.FlushAsync();
        }

        // Blocking fsyncs side by side on the store's long-lived fsync threads (not the pool's, which has about one per
        // core): concurrent fsyncs share the journal's commits, so n of them cost about one.
        cancellationToken.ThrowIfCancellationRequested();
        return FsyncWorkers.FlushAsync(staged);
    }

    /// <summary>Makes new names durable: one group flush, or (Fsync mode) one fsync per folder.</summary>
    private Task FlushNamesAsync(HashSet<string> folders)
    {
        if (_groupSync is not null)
        {
            return _groupSync.FlushAsync();
        }

        foreach (var folder in folders)
        {
            NativeFileSystem.FsyncDirectory(folder);
        }

        return Task.CompletedTask;
    }
}
