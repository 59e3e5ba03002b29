using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archive.Audit;
using Archive.Exchange;
using Archive.Handover;
using Archive.Packages;
using Archive.Records;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Backup;

/// <summary>
/// Online, consistent backups of the system of record over any <see cref="IObjectStore"/>, their verification without the
/// service, and restore into an empty store.
/// </summary>
/// <remarks>
/// <para><b>What is in a set.</b> Every object of the store except transient state (<see cref="ExcludedPrefixes"/>: leases,
/// job state and flags, the audit journal's pending intents): the OCFL objects of every collection (record files, agencies,
/// fonds, schedules, decisions, events, plans...), the storage roots' declarations, tombstones, the API keys, the exchange
/// jobs and their packages, and the audit trail. The search index is not in the store: it is rebuilt after a restore.</para>
/// <para><b>Consistency while the service runs.</b> An OCFL object is copied at the version its root inventory names when it
/// is read: that inventory's bytes are kept, and exactly the files it references are copied (each content file checked
/// against its SHA-256 in the inventory), never a version being written, so a concurrent commit cannot tear an object. Within
/// the file list an object's root inventory comes after its files, so a restore follows the commit protocol. The audit trail
/// is copied last, up to the last record that continues its hash chain: every change copied has its audit record in the set
/// (a change's record follows its commit).</para>
/// <para><b>Layout of a set</b> (a folder): <c>backup.json</c> (<see cref="BackupManifest"/>), <c>backup.json.sha256</c>,
/// <c>backup.json.p7s</c> (detached CMS seal, when <c>Archive:Exchange:Seal</c> is configured), <c>files.jsonl</c> (one
/// <see cref="BackupFileEntry"/> per object, in restore order) and <c>blobs/xx/&lt;sha256&gt;</c>, the contents addressed by
/// SHA-256. An incremental set lists every file but stores only the contents its base chain does not hold; the sets of a
/// chain live side by side in one folder. Memory stays flat: objects and the file list are streamed, one OCFL inventory at a
/// time is held.</para>
/// </remarks>
public sealed partial class BackupService
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestFile = "backup.json";

    /// <summary>The manifest digest's file name.</summary>
    public const string DigestFile = "backup.json.sha256";

    /// <summary>The manifest seal's file name.</summary>
    public const string SealFile = "backup.json.p7s";

    /// <summary>The file list's name.</summary>
    public const string FileListFile = "files.jsonl";

    /// <summary>The folder of contents.</summary>
    public const string BlobsFolder = "blobs";

    /// <summary>Key prefixes never backed up: transient state that a restored engine does not need.</summary>
    public static readonly IReadOnlyList<string> ExcludedPrefixes = [StorageLeasesPrefix, ArchiveStorage.JobsPrefix, AuditJournal.PendingPrefix];

    private const string StorageLeasesPrefix = Archive.Hosting.StorageLeases.Prefix;
    private const int MaxProblems = 1000;
    private const int MaxChain = 1000;
    private const string InventoryName = "inventory.json";
    private const string SidecarName = "inventory.json.sha256";
    private const string JournalPrefix = "extensions/archive-journal/"; // OcflPackageStore's journal of a package
    private const string ObjectNamaste = "0=ocfl_object_1.1";
    private const string StorageNamaste = "0=ocfl_1.1";

    private static readonly JsonSerializerOptions LineJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IObjectStore _objects;
    private readonly IAuditTrail? _audit;
    private readonly PackageSeals? _seals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string? _dataPath;

    /// <summary>Creates the service over the archive's object store.</summary>
    /// <param name="objects">The store backed up, or restored into.</param>
    /// <param name="audit">The audit trail every backup and restore is recorded in.</param>
    /// <param name="seals">The archive's seal (<c>Archive:Exchange:Seal</c>): seals manifests and checks them; null: unsealed, any seal found is checked without a trust list.</param>
    /// <param name="timeProvider">Clock.</param>
    /// <param name="logger">Logger.</param>
    public BackupService(IObjectStore objects, IAuditTrail? audit = null, PackageSeals? seals = null, TimeProvider? timeProvider = null, ILogger<BackupService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(objects);
        _objects = objects;
        _audit = audit;
        _seals = seals;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The archive's data folder (<c>Archive:DataPath</c>): no set is written inside it; null: not checked.</summary>
    public string? DataPath
    {
        get => _dataPath;
        init => _dataPath = value is { Length: > 0 } ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(value)) : null;
    }

    private static bool IsWithin(string path, string folder)
    {
        var p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return string.Equals(p, folder, StringComparison.Ordinal) || p.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The engine version written into manifests.</summary>
    public static string EngineVersion { get; } = typeof(BackupService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <summary>
    /// Backs up the store while it serves, into the new set folder <paramref name="target"/> (created; it must not exist
    /// or be empty): full, or incremental on <paramref name="incrementalFrom"/> (a sound set in the same parent folder).
    /// Only an administrator may back up (the set holds every record, Secret ones too); the backup is audited.
    /// </summary>
    /// <param name="target">The new set's folder; its name is the set's id.</param>
    /// <param name="incrementalFrom">The base set's folder, or null for a full backup.</param>
    /// <param name="caller">Who backs up (an administrator).</param>
    /// <param name="progress">Progress.</param>
    /// <param name="cancellationToken">Cancellation: leaves an incomplete set without <c>backup.json</c>.</param>
    /// <exception cref="ArchiveValidationException">target (<c>backup.target-not-empty</c>, <c>backup.target-in-data</c>: inside <see cref="DataPath"/>) or incrementalFrom
    /// (<c>backup.base-invalid</c>, <c>backup.base-not-beside</c>); nothing is written.</exception>
    /// <exception cref="ArchiveAccessDeniedException">The caller is not an administrator.</exception>
    public async ValueTask<BackupResult> CreateAsync(string target, string? incrementalFrom, ArchiveCaller caller, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentNullException.ThrowIfNull(caller);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        var id = Path.GetFileName(root);
        await RequireAdministratorAsync(caller, "backup-set", id, cancellationToken).ConfigureAwait(false);
        if (!SetId().IsMatch(id))
        {
            throw new ArchiveValidationException("target", "format", $"The set's folder name '{id}' is its id: letters, digits, '.', '-' and '_' only (at most 128), not starting with '.'.");
        }

        var (chain, baseRef) = await CheckTargetAsync(root, incrementalFrom, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await WriteSetAsync(root, id, chain, baseRef, caller, progress, cancellationToken).ConfigureAwait(false);
            await AppendAsync(caller.ToAuditEvent(BackupAuditActions.Create) with
            {
                ObjectType = "backup-set",
                ObjectId = id,
                Detail = $"{result.Manifest.Kind} backup{(baseRef is null ? string.Empty : " on " + baseRef.Id)}: {result.Manifest.Objects} objects, {result.Manifest.Files} files, {result.Manifest.Bytes} bytes "
                    + $"({result.Manifest.FilesStored} files, {result.Manifest.BytesStored} bytes stored), audit up to {result.Manifest.AuditSequence}; manifest sha256 {result.ManifestSha256}{(result.Sealed ? ", sealed" : ", unsealed")}",
            }, cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await AppendAsync(caller.ToAuditEvent(BackupAuditActions.Create) with
            {
                ObjectType = "backup-set",
                ObjectId = id,
                Outcome = AuditOutcome.Failure,
                Detail = "Backup failed: " + ex.Message,
            }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Verifies a set and its chain without the service: the manifest against its digest and seal (the seal against the
    /// trust list of <c>Archive:Exchange:Seal</c>, required when that says so), each base set by the digest its child
    /// recorded, the file list against the manifest, and every file present in the chain with its size and SHA-256.
    /// Changes nothing.
    /// </summary>
    /// <param name="set">The set's folder.</param>
    /// <param name="progress">Progress.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The report, naming each problem.</returns>
    public async ValueTask<BackupVerification> VerifyAsync(string set, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(set);
        return await VerifyCoreAsync(Path.TrimEndingDirectorySeparator(Path.GetFullPath(set)), _seals?.Trust ?? SealTrust.None, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Restores a set into this service's store, which must be empty: verifies the whole set first (nothing is written when
    /// it is not sound), then writes every file, each verified again by the store against its SHA-256, OCFL inventories
    /// after their files and the audit trail last. Rebuild the search index afterwards (the server's reindex). Audited in
    /// the restored trail.
    /// </summary>
    /// <param name="set">The set's folder.</param>
    /// <param name="caller">Who restores (an administrator).</param>
    /// <param name="progress">Progress.</param>
    /// <param name="cancellationToken">Cancellation (leaves a partial store: empty it and restore again).</param>
    /// <exception cref="ArchiveValidationException">The store is not empty (<c>data</c>, <c>backup.target-not-empty</c>, naming an object found).</exception>
    public async ValueTask<BackupRestoreResult> RestoreAsync(string set, ArchiveCaller caller, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(set);
        ArgumentNullException.ThrowIfNull(caller);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(set));
        await RequireAdministratorAsync(caller, "backup-set", Path.GetFileName(root), cancellationToken).ConfigureAwait(false);
        var first = await _objects.ListPageAsync(string.Empty, new ObjectListOptions { PageSize = 1 }, cancellationToken).ConfigureAwait(false);
        if (first.Items.Count > 0)
        {
            throw new ArchiveValidationException("data", "backup.target-not-empty",
                $"The store to restore into ({_objects.SystemName} {_objects.ContainerName}) is not empty: it holds '{first.Items[0].Key}'. Restore only into an empty data folder or bucket.");
        }

        var verification = await VerifyCoreAsync(root, _seals?.Trust ?? SealTrust.None, progress, cancellationToken).ConfigureAwait(false);
        if (!verification.Sound)
        {
            return new BackupRestoreResult { Verification = verification };
        }

        var chain = verification.Chain.Select(c => Path.Combine(Path.GetDirectoryName(root)!, c)).ToList();
        chain[0] = root;
        long files = 0, bytes = 0;
        var total = verification.Files;
        await foreach (var entry in ReadFileListAsync(root, cancellationToken).ConfigureAwait(false))
        {
            var blob = FindBlob(chain, entry.Sha256) ?? throw new ArchiveException($"'{entry.Key}': its content {entry.Sha256} vanished from the set while restoring.");
            await using (var stream = new FileStream(blob, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                await _objects.PutAsync(entry.Key, stream, new PutObjectOptions { ExpectedSha256 = entry.Sha256, ExpectedLength = entry.Size }, cancellationToken).ConfigureAwait(false);
            }

            files++;
            bytes += entry.Size;
            if (files % 200 == 0)
            {
                progress?.Report(new BackupProgress { Phase = "restoring", Files = files, Bytes = bytes, FilesTotal = total });
            }
        }

        progress?.Report(new BackupProgress { Phase = "restoring", Files = files, Bytes = bytes, FilesTotal = total });
        await AppendAsync(caller.ToAuditEvent(BackupAuditActions.Restore) with
        {
            ObjectType = "backup-set",
            ObjectId = verification.Manifest!.Id,
            Detail = $"Restored {verification.Manifest.Kind} backup {verification.Manifest.Id} of {verification.Manifest.CompletedAt:O} ({files} files, {bytes} bytes, audit up to {verification.Manifest.AuditSequence}) into {_objects.SystemName} {_objects.ContainerName}",
        }, cancellationToken).ConfigureAwait(false);
        Log.Restored(_logger, verification.Manifest.Id, files, bytes);
        return new BackupRestoreResult { Verification = verification, Restored = true, Files = files, Bytes = bytes };
    }

    // ================================================================== backup

    private async ValueTask<(List<string> Chain, BackupBaseReference? Base)> CheckTargetAsync(string root, string? incrementalFrom, CancellationToken cancellationToken)
    {
        if (_dataPath is { } data && IsWithin(root, data))
        {
            // Inside the data folder the set would land in the store (backed up again by the next set) or beside the index:
            // a backup belongs on other media (domain reference §7).
            throw new ArchiveValidationException("target", "backup.target-in-data", $"The backup folder '{root}' is inside the archive's data folder '{data}': write backups to another disk or device.");
        }

        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new ArchiveValidationException("target", "backup.target-not-empty", $"The backup folder '{root}' is not empty: a new set needs a new or empty folder.");
        }

        if (File.Exists(root))
        {
            throw new ArchiveValidationException("target", "backup.target-not-empty", $"'{root}' is a file: a new set needs a new or empty folder.");
        }

        if (incrementalFrom is null)
        {
            return ([root], null);
        }

        var basePath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(incrementalFrom));
        if (!string.Equals(Path.GetDirectoryName(basePath), Path.GetDirectoryName(root), StringComparison.Ordinal))
        {
            throw new ArchiveValidationException("incrementalFrom", "backup.base-not-beside",
                $"The base set '{basePath}' must be in the same folder as the new set ({Path.GetDirectoryName(root)}): the sets of a chain are kept side by side.");
        }

        var problems = new List<BackupProblem>();
        var chain = await LoadChainAsync(basePath, _seals?.Trust ?? SealTrust.None, problems, cancellationToken).ConfigureAwait(false);
        if (problems.Count > 0 || chain.Count == 0)
        {
            throw new ArchiveValidationException("incrementalFrom", "backup.base-invalid",
                $"The base set '{basePath}' cannot be used: " + string.Join(" ", problems.Take(5).Select(p => $"{p.Path}: {p.Message} [{p.Rule}]")));
        }

        var baseDigest = chain[0].ManifestSha256;
        return ([root, .. chain.Select(c => c.Path)], new BackupBaseReference { Id = chain[0].Manifest.Id, ManifestSha256 = baseDigest });
    }

    private async ValueTask<BackupResult> WriteSetAsync(string root, string id, List<string> chain, BackupBaseReference? baseRef, ArchiveCaller caller, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        Directory.CreateDirectory(Path.Combine(root, BlobsFolder));
        var writer = new SetWriter(root, chain);
        var listPath = Path.Combine(root, FileListFile);
        await using (var list = new FileStream(listPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536, FileOptions.Asynchronous))
        {
            writer.List = list;
            string? skipPrefix = null;
            var storageRoots = new Dictionary<string, bool>(StringComparer.Ordinal);
            await foreach (var item in _objects.ListAsync(string.Empty, 1000, cancellationToken).ConfigureAwait(false))
            {
                var key = item.Key;
                if (skipPrefix is not null && key.StartsWith(skipPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                skipPrefix = null;
                if (ExcludedPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)) || key.StartsWith(ObjectStoreAuditLog.Prefix, StringComparison.Ordinal))
                {
                    continue; // transient, or the audit trail (copied last, below)
                }

                if (ObjectRoot().Match(key) is { Success: true } m && await IsStorageRootAsync(storageRoots, m.Groups["storage"].Value, cancellationToken).ConfigureAwait(false))
                {
                    skipPrefix = m.Groups["root"].Value;
                    await BackupObjectAsync(writer, skipPrefix, cancellationToken).ConfigureAwait(false);
                }
                else if (await CopyAsync(writer, key, item.Sha256?.ToLowerInvariant(), cancellationToken, listed: true).ConfigureAwait(false) is { } entry)
                {
                    await writer.AddAsync([entry], cancellationToken).ConfigureAwait(false);
                }

                if (writer.Changed)
                {
                    progress?.Report(writer.Progress("objects"));
                }
            }

            var (auditSequence, auditHash) = await BackupAuditAsync(writer, cancellationToken).ConfigureAwait(false);
            progress?.Report(writer.Progress("audit"));
            await list.FlushAsync(cancellationToken).ConfigureAwait(false);
            list.Flush(flushToDisk: true);
            writer.AuditSequence = auditSequence;
            writer.AuditHash = auditHash;
        }

        var manifest = new BackupManifest
        {
            Id = id,
            Kind = baseRef is null ? BackupKind.Full : BackupKind.Incremental,
            Base = baseRef,
            EngineVersion = EngineVersion,
            CreatedBy = caller.Actor,
            StartedAt = started,
            CompletedAt = _time.GetUtcNow(),
            Source = $"{_objects.SystemName} {_objects.ContainerName}",
            Objects = writer.Objects,
            Files = writer.Files,
            Bytes = writer.Bytes,
            FilesStored = writer.FilesStored,
            BytesStored = writer.BytesStored,
            AuditSequence = writer.AuditSequence,
            AuditHash = writer.AuditHash,
            FileListSha256 = await Sha256OfFileAsync(listPath, cancellationToken).ConfigureAwait(false),
            Excluded = [.. ExcludedPrefixes, "(files of an OCFL object its root inventory does not reference: versions being written, claims)"],
        };
        progress?.Report(writer.Progress("sealing"));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ArchiveJson.Options);
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var certificate = _seals?.SigningCertificate;
        if (certificate is not null)
        {
            await WriteDurableAsync(Path.Combine(root, SealFile), SealTrust.SignDetached(bytes, certificate), cancellationToken).ConfigureAwait(false);
        }

        await WriteDurableAsync(Path.Combine(root, DigestFile), Encoding.UTF8.GetBytes(digest + "  " + ManifestFile + "\n"), cancellationToken).ConfigureAwait(false);
        await WriteDurableAsync(Path.Combine(root, ManifestFile), bytes, cancellationToken).ConfigureAwait(false); // last: a set without it is incomplete
        Log.Created(_logger, id, manifest.Kind.ToString(), manifest.Files, manifest.FilesStored, manifest.BytesStored);
        return new BackupResult(root, manifest, digest, certificate is not null);
    }

    /// <summary>Whether <paramref name="storage"/> is an OCFL storage root (declared by its <c>0=ocfl_1.1</c>), so that keys below it that look like object roots are OCFL objects; remembered per root.</summary>
    private async ValueTask<bool> IsStorageRootAsync(Dictionary<string, bool> known, string storage, CancellationToken cancellationToken)
    {
        if (!known.TryGetValue(storage, out var isRoot))
        {
            known[storage] = isRoot = await _objects.StatAsync(storage + StorageNamaste, cancellationToken).ConfigureAwait(false) is not null;
        }

        return isRoot;
    }

    /// <summary>Copies one OCFL object at the version its root inventory names now; false when it has no committed version.</summary>
    private async ValueTask BackupObjectAsync(SetWriter writer, string objectRoot, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await TryBackupObjectAsync(writer, objectRoot, lastAttempt: attempt == 5, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// One attempt at <see cref="BackupObjectAsync"/>: false when the object's journal was folded while it was being
    /// copied (the root inventory changed under it), so that the copy would miss acknowledged changes; then it is copied again.
    /// </summary>
    private async ValueTask<bool> TryBackupObjectAsync(SetWriter writer, string objectRoot, bool lastAttempt, CancellationToken cancellationToken)
    {
        var inventoryBytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
        if (inventoryBytes is null)
        {
            return true; // nothing committed yet (a first version being written)
        }

        var inventory = OcflInventoryDocument.Parse(inventoryBytes);
        if (inventory is null || OcflInventoryDocument.ParseVersionName(inventory.Head) is not { } head || inventory.DigestAlgorithm != OcflInventoryDocument.Sha256)
        {
            throw new ArchiveException($"The OCFL object '{objectRoot}' has an inventory this engine cannot read; run a fixity check before backing up.");
        }

        var entries = new List<BackupFileEntry>();
        foreach (var (digest, paths) in inventory.Manifest)
        {
            foreach (var path in paths)
            {
                var entry = await CopyAsync(writer, objectRoot + path, digest.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
                if (entry is null)
                {
                    if (await _objects.StatAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false) is null)
                    {
                        return true; // destroyed (purged) while it was being copied: not in this backup
                    }

                    throw new ArchiveException($"The OCFL object '{objectRoot}' lacks '{path}', which its inventory references; run a fixity check before backing up.");
                }

                entries.Add(entry);
            }
        }

        if (await CopyAsync(writer, objectRoot + ObjectNamaste, null, cancellationToken).ConfigureAwait(false) is { } namaste)
        {
            entries.Add(namaste);
        }

        for (var v = 1; v <= head; v++)
        {
            var folder = objectRoot + OcflInventoryDocument.VersionName(v) + "/";
            foreach (var name in new[] { InventoryName, SidecarName })
            {
                if (await CopyAsync(writer, folder + name, null, cancellationToken).ConfigureAwait(false) is { } e)
                {
                    entries.Add(e);
                }
            }
        }

        // The package journal (changes acknowledged since the last OCFL version, and what folds keep), which the root
        // inventory does not name. A fold meanwhile changes the root inventory and removes entries: copy again.
        // Entries first: an entry is written after its content, so the content of every entry copied is listed after it.
        var journal = false;
        foreach (var (prefix, skip) in new[] { (JournalPrefix + "entries/", (string?)null), (JournalPrefix, JournalPrefix + "entries/") })
        {
            await foreach (var item in _objects.ListAsync(objectRoot + prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                journal = true;
                if ((skip is null || !item.Key.StartsWith(objectRoot + skip, StringComparison.Ordinal))
                    && await CopyAsync(writer, item.Key, null, cancellationToken).ConfigureAwait(false) is { } e)
                {
                    entries.Add(e);
                }
            }
        }

        if (journal && !lastAttempt && await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false) is { } now && !now.AsSpan().SequenceEqual(inventoryBytes))
        {
            return false;
        }

        // The root inventory as read (the commit point, after every file it names) and its sidecar, made from those bytes.
        var inventoryDigest = Convert.ToHexStringLower(SHA256.HashData(inventoryBytes));
        entries.Add(await writer.StoreBytesAsync(objectRoot + InventoryName, inventoryBytes, cancellationToken).ConfigureAwait(false));
        entries.Add(await writer.StoreBytesAsync(objectRoot + SidecarName, Encoding.UTF8.GetBytes(inventoryDigest + " " + InventoryName + "\n"), cancellationToken).ConfigureAwait(false));
        writer.Objects++;
        await writer.AddAsync(entries, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Copies the audit trail up to its last record that continues the chain; returns that record's sequence and hash.</summary>
    private async ValueTask<(long Sequence, string? Hash)> BackupAuditAsync(SetWriter writer, CancellationToken cancellationToken)
    {
        long last = 0;
        string? hash = null;
        await foreach (var item in _objects.ListAsync(ObjectStoreAuditLog.RecordsPrefix, 1000, cancellationToken).ConfigureAwait(false))
        {
            var bytes = await ReadSmallAsync(item.Key, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                break;
            }

            AuditRecord record;
            try
            {
                record = AuditCodec.Deserialize(bytes);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or ArchiveException)
            {
                Log.AuditStopped(_logger, item.Key, "unreadable: " + ex.Message);
                break;
            }

            if ((last > 0 && (record.Sequence != last + 1 || record.PreviousHash != hash)) || ObjectStoreAuditLog.RecordKey(record.Sequence) != item.Key)
            {
                Log.AuditStopped(_logger, item.Key, "does not continue the chain");
                break;
            }

            await writer.AddAsync([await writer.StoreBytesAsync(item.Key, bytes, cancellationToken).ConfigureAwait(false)], cancellationToken).ConfigureAwait(false);
            (last, hash) = (record.Sequence, record.Hash);
        }

        await foreach (var item in _objects.ListAsync(ObjectStoreAuditLog.CheckpointsPrefix, 1000, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key[ObjectStoreAuditLog.CheckpointsPrefix.Length..];
            if (name.Length < 12 || !long.TryParse(name.AsSpan(0, 12), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence > last)
            {
                continue;
            }

            if (await CopyAsync(writer, item.Key, null, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                await writer.AddAsync([entry], cancellationToken).ConfigureAwait(false);
            }
        }

        return (last, hash);
    }

    /// <summary>
    /// Copies an object's content into the set unless the chain holds it; null when the object is absent. With
    /// <paramref name="expected"/> (the digest an inventory gives) content the chain holds is not read at all, and content
    /// read must match it.
    /// </summary>
    /// <param name="writer">The set being written.</param>
    /// <param name="key">The object's key.</param>
    /// <param name="expected">Its SHA-256 when known.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <param name="listed">The digest came from a listing, not an inventory: the object may have been replaced since, so
    /// content read that differs is not damage (it is what the object holds now).</param>
    private async ValueTask<BackupFileEntry?> CopyAsync(SetWriter writer, string key, string? expected, CancellationToken cancellationToken, bool listed = false)
    {
        if (expected is not null && writer.FindBlob(expected) is { } known)
        {
            return new BackupFileEntry(key, new FileInfo(known).Length, expected);
        }

        var content = await _objects.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            var entry = await writer.StoreAsync(key, content.Stream, cancellationToken).ConfigureAwait(false);
            if (expected is not null && !listed && entry.Sha256 != expected)
            {
                throw new ArchiveException($"'{key}' in the store has sha256 {entry.Sha256}, its inventory says {expected}: the store is damaged; run a fixity check.");
            }

            return entry;
        }
    }

    private async ValueTask<byte[]?> ReadSmallAsync(string key, CancellationToken cancellationToken)
    {
        var content = await _objects.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await content.Stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    // ================================================================== verify

    private sealed record ChainLink(string Path, BackupManifest Manifest, string ManifestSha256);

    /// <summary>Reads and checks the manifests of a set and its bases (digest, seal, base digest); problems are added.</summary>
    private static async ValueTask<List<ChainLink>> LoadChainAsync(string set, SealTrust trust, List<BackupProblem> problems, CancellationToken cancellationToken)
    {
        var chain = new List<ChainLink>();
        var path = set;
        string? expectedDigest = null;
        while (chain.Count < MaxChain)
        {
            var name = Path.GetFileName(path);
            var manifestPath = Path.Combine(path, ManifestFile);
            if (!File.Exists(manifestPath))
            {
                problems.Add(chain.Count == 0
                    ? new BackupProblem(ManifestFile, "backup.manifest-missing", $"'{path}' has no {ManifestFile}: it is not a backup set, or the backup did not complete.")
                    : new BackupProblem(name, "backup.base-missing", $"The base set '{name}' is not beside '{chain[^1].Manifest.Id}' (or is incomplete)."));
                return chain;
            }

            var bytes = await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false);
            var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var prefix = chain.Count == 0 ? string.Empty : name + "/";
            if (expectedDigest is not null && digest != expectedDigest)
            {
                problems.Add(new BackupProblem(prefix + ManifestFile, "backup.base-mismatch", $"The base set '{name}' is not the one '{chain[^1].Manifest.Id}' was made on: its manifest's sha256 is {digest}, expected {expectedDigest}."));
            }

            var digestPath = Path.Combine(path, DigestFile);
            var recorded = File.Exists(digestPath) ? (await File.ReadAllTextAsync(digestPath, cancellationToken).ConfigureAwait(false)).Split(' ', 2)[0].Trim().ToLowerInvariant() : null;
            if (recorded != digest)
            {
                problems.Add(new BackupProblem(prefix + DigestFile, "backup.manifest-digest", recorded is null
                    ? $"{DigestFile} is missing."
                    : $"{ManifestFile} has sha256 {digest}, {DigestFile} says {recorded}: the manifest was changed."));
            }

            var sealPath = Path.Combine(path, SealFile);
            if (File.Exists(sealPath))
            {
                var (_, problem) = trust.CheckDetached(bytes, await File.ReadAllBytesAsync(sealPath, cancellationToken).ConfigureAwait(false));
                if (problem is not null)
                {
                    problems.Add(new BackupProblem(prefix + SealFile, "backup.seal-invalid", problem));
                }
            }
            else if (trust.RequireSeal)
            {
                problems.Add(new BackupProblem(prefix + SealFile, "backup.seal-missing", "The manifest is not sealed, and the trust list (Archive:Exchange:Seal) requires a seal."));
            }

            BackupManifest? manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<BackupManifest>(bytes, ArchiveJson.Options);
            }
            catch (JsonException ex)
            {
                problems.Add(new BackupProblem(prefix + ManifestFile, "backup.manifest-invalid", "The manifest cannot be read: " + ex.Message));
                return chain;
            }

            if (manifest is null || manifest.Format != BackupManifest.CurrentFormat)
            {
                problems.Add(new BackupProblem(prefix + ManifestFile, "backup.manifest-invalid", $"The manifest is not of the format {BackupManifest.CurrentFormat}."));
                return chain;
            }

            chain.Add(new ChainLink(path, manifest, digest));
            if (manifest.Base is not { } b)
            {
                return chain;
            }

            if (!SetId().IsMatch(b.Id))
            {
                problems.Add(new BackupProblem(prefix + ManifestFile, "backup.manifest-invalid", $"The base id '{b.Id}' is not a set name."));
                return chain;
            }

            path = Path.Combine(Path.GetDirectoryName(path)!, b.Id);
            expectedDigest = b.ManifestSha256.ToLowerInvariant();
        }

        problems.Add(new BackupProblem(ManifestFile, "backup.chain-too-long", $"The chain has more than {MaxChain} sets."));
        return chain;
    }

    private static async ValueTask<BackupVerification> VerifyCoreAsync(string set, SealTrust trust, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        var problems = new List<BackupProblem>();
        var more = false;
        void Add(BackupProblem p)
        {
            if (problems.Count < MaxProblems)
            {
                problems.Add(p);
            }
            else
            {
                more = true;
            }
        }

        var chain = await LoadChainAsync(set, trust, problems, cancellationToken).ConfigureAwait(false);
        if (chain.Count == 0)
        {
            return new BackupVerification { Path = set, Problems = problems };
        }

        var manifest = chain[0].Manifest;
        var paths = chain.Select(c => c.Path).ToList();
        var signer = File.Exists(Path.Combine(set, SealFile)) && problems.Count == 0
            ? trust.CheckDetached(await File.ReadAllBytesAsync(Path.Combine(set, ManifestFile), cancellationToken).ConfigureAwait(false), await File.ReadAllBytesAsync(Path.Combine(set, SealFile), cancellationToken).ConfigureAwait(false)).Signer
            : null;
        var listPath = Path.Combine(set, FileListFile);
        long files = 0, bytes = 0;
        if (!File.Exists(listPath))
        {
            Add(new BackupProblem(FileListFile, "backup.file-list", $"{FileListFile} is missing."));
        }
        else
        {
            var listDigest = await Sha256OfFileAsync(listPath, cancellationToken).ConfigureAwait(false);
            if (listDigest != manifest.FileListSha256)
            {
                Add(new BackupProblem(FileListFile, "backup.file-list", $"{FileListFile} has sha256 {listDigest}, the manifest says {manifest.FileListSha256}: the list was changed."));
            }

            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                await foreach (var entry in ReadFileListAsync(set, cancellationToken).ConfigureAwait(false))
                {
                    files++;
                    bytes += entry.Size;
                    var blob = FindBlob(paths, entry.Sha256);
                    if (blob is null)
                    {
                        Add(new BackupProblem(entry.Key, "backup.file-missing", $"The content of '{entry.Key}' (sha256 {entry.Sha256}) is in no set of the chain."));
                        continue;
                    }

                    var (size, actual) = await HashFileAsync(blob, buffer, cancellationToken).ConfigureAwait(false);
                    if (size != entry.Size || actual != entry.Sha256)
                    {
                        Add(new BackupProblem(entry.Key, "backup.file-digest",
                            $"The content of '{entry.Key}' ({Path.GetRelativePath(Path.GetDirectoryName(set)!, blob)}) has {size} bytes and sha256 {actual}; the list says {entry.Size} bytes, sha256 {entry.Sha256}."));
                    }

                    if (files % 200 == 0)
                    {
                        progress?.Report(new BackupProgress { Phase = "verifying", Files = files, Bytes = bytes, FilesTotal = manifest.Files });
                    }
                }
            }
            catch (JsonException ex)
            {
                Add(new BackupProblem(FileListFile, "backup.file-list", $"{FileListFile} cannot be read after {files} lines: {ex.Message}"));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (files != manifest.Files || bytes != manifest.Bytes)
            {
                Add(new BackupProblem(FileListFile, "backup.counts", $"The list names {files} files, {bytes} bytes; the manifest says {manifest.Files} files, {manifest.Bytes} bytes."));
            }
        }

        progress?.Report(new BackupProgress { Phase = "verifying", Files = files, Bytes = bytes, FilesTotal = manifest.Files });
        return new BackupVerification
        {
            Path = set,
            Manifest = manifest,
            Chain = [.. chain.Select(c => c.Manifest.Id)],
            Signer = signer,
            Files = files,
            Bytes = bytes,
            Problems = problems,
            MoreProblems = more,
        };
    }

    private static async IAsyncEnumerable<BackupFileEntry> ReadFileListAsync(string set, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(Path.Combine(set, FileListFile), new UTF8Encoding(false, true), false, 65536);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var entry = JsonSerializer.Deserialize<BackupFileEntry>(line, LineJson);
            if (entry is null || string.IsNullOrEmpty(entry.Key) || entry.Sha256 is not { Length: 64 } || entry.Size < 0 || !entry.Sha256.All(char.IsAsciiHexDigitLower))
            {
                throw new JsonException($"the line '{(line.Length > 200 ? line[..200] : line)}' is not a file entry");
            }

            yield return entry;
        }
    }

    // ================================================================== helpers

    private static string BlobPath(string set, string sha256) => Path.Combine(set, BlobsFolder, sha256[..2], sha256);

    private static string? FindBlob(IReadOnlyList<string> chain, string sha256)
    {
        foreach (var set in chain)
        {
            var path = BlobPath(set, sha256);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static async ValueTask<(long Size, string Sha256)> HashFileAsync(string path, byte[] buffer, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        long size = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            size += n;
        }

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async ValueTask<string> Sha256OfFileAsync(string path, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            return (await HashFileAsync(path, buffer, cancellationToken).ConfigureAwait(false)).Sha256;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask WriteDurableAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temp = path + ".partial";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Refuses (and audits) a caller who is not an administrator.</summary>
    internal ValueTask CheckCallerAsync(ArchiveCaller caller, CancellationToken cancellationToken)
        => RequireAdministratorAsync(caller, "backup-set", null, cancellationToken);

    internal static void LogJobFailed(ILogger logger, string jobId, Exception exception) => Log.JobFailed(logger, jobId, exception);

    private async ValueTask RequireAdministratorAsync(ArchiveCaller caller, string objectType, string? objectId, CancellationToken cancellationToken)
    {
        if (caller.IsInRole(ArchiveRoles.Administrator))
        {
            return;
        }

        await AppendAsync(caller.ToAuditEvent(AuditActions.AccessDenied) with
        {
            ObjectType = objectType,
            ObjectId = objectId,
            Outcome = AuditOutcome.Denied,
            Detail = "backup and restore: administrators only",
        }, cancellationToken).ConfigureAwait(false);
        throw new ArchiveAccessDeniedException("caller", AccessRules.AgencyScope, "Backup and restore are for administrators: a set holds every record of every agency, Secret ones too.");
    }

    private async ValueTask AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (_audit is not null)
        {
            await _audit.AppendAsync(auditEvent, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A set name: letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    internal static partial Regex SetId();

    /// <summary>The object root of a key inside an OCFL object (layout 0003: three tuples of three hex digits, then the encoded id).</summary>
    [GeneratedRegex("^(?<root>(?<storage>(?:[^/]+/)*?)[0-9a-f]{3}/[0-9a-f]{3}/[0-9a-f]{3}/[^/]+/)", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectRoot();

    /// <summary>The set being written: the file list, its counts, and the contents already present in the chain.</summary>
    private sealed class SetWriter(string root, IReadOnlyList<string> chain)
    {
        private long _reported;

        public FileStream List { get; set; } = null!;

        public long Objects { get; set; }

        public long Files { get; private set; }

        public long Bytes { get; private set; }

        public long FilesStored { get; private set; }

        public long BytesStored { get; private set; }

        public long AuditSequence { get; set; }

        public string? AuditHash { get; set; }

        public bool Changed => Files - _reported >= 200;

        public string? FindBlob(string sha256) => BackupService.FindBlob(chain, sha256);

        public BackupProgress Progress(string phase)
        {
            _reported = Files;
            return new BackupProgress { Phase = phase, Objects = Objects, Files = Files, Bytes = Bytes, FilesStored = FilesStored };
        }

        public async ValueTask AddAsync(IReadOnlyList<BackupFileEntry> entries, CancellationToken cancellationToken)
        {
            foreach (var e in entries)
            {
                var line = JsonSerializer.SerializeToUtf8Bytes(e, LineJson);
                await List.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                List.WriteByte((byte)'\n');
                Files++;
                Bytes += e.Size;
            }
        }

        public async ValueTask<BackupFileEntry> StoreBytesAsync(string key, byte[] bytes, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return await StoreAsync(key, stream, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Streams content into a temporary file of the set while hashing; keeps it as a blob unless the chain has it.</summary>
        public async ValueTask<BackupFileEntry> StoreAsync(string key, Stream content, CancellationToken cancellationToken)
        {
            var temp = Path.Combine(root, BlobsFolder, Guid.NewGuid().ToString("N") + ".partial");
            long size = 0;
            string digest;
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                {
                    int n;
                    while ((n = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        size += n;
                    }

                    file.Flush(flushToDisk: true);
                }

                digest = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            catch
            {
                File.Delete(temp);
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (FindBlob(digest) is not null)
            {
                File.Delete(temp);
            }
            else
            {
                var path = BlobPath(root, digest);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Move(temp, path);
                FilesStored++;
                BytesStored += size;
            }

            return new BackupFileEntry(key, size, digest);
        }
    }
}

/// <summary>The audit actions of backup and restore.</summary>
public static class BackupAuditActions
{
    /// <summary>A backup set was written (or failed).</summary>
    public const string Create = "backup.create";

    /// <summary>A backup set was restored into an empty store.</summary>
    public const string Restore = "backup.restore";
}
