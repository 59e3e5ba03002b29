using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Audit;

/// <summary>
/// The default audit log: a hash chain kept in the archive's object store under <c>audit/</c>.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> One small object per record, <c>audit/records/{sequence:D12}.json</c>, and one per checkpoint,
/// <c>audit/checkpoints/{sequence:D12}.json</c>. One object per record because (1) a create-only put of key N is the
/// cross-process lock on sequence N — two processes can never both write N, without any lease; (2) under S3 Object
/// Lock every record is immutable from the moment it is written (a segment file would have to be rewritten, which
/// WORM forbids); (3) a record is one GET by sequence, so paging and time-range search (binary search on the
/// monotonic timestamps) never read the whole log; (4) zero-padded keys list in sequence order, 1000 per page, so
/// verification streams with flat memory.</para>
/// <para><b>Tail discovery</b> at first use: the latest checkpoint, then galloping + binary search over the existence of
/// record keys (O(log n) stats). On a create-only conflict the tail is re-read forward and the append retried.</para>
/// <para><b>Group commit.</b> Concurrent appends in one process are batched: one writer chains every queued event onto
/// the tail and stores the records together — where the store offers <see cref="IObjectBatchStore"/> (the file-system
/// store) with one flush for the batch, which keeps any crash's survivors a prefix of the batch; elsewhere (S3) one
/// create-only put after the other, each durable before the next is written. Each append returns when its own record
/// is durable. A sequence taken by another process stops the batch there; the rest is chained onto the real tail.</para>
/// </remarks>
public sealed partial class ObjectStoreAuditLog : IAuditLog, IDisposable
{
    /// <summary>Prefix of every audit object.</summary>
    public const string Prefix = "audit/";

    /// <summary>Prefix of record objects.</summary>
    public const string RecordsPrefix = "audit/records/";

    /// <summary>Prefix of checkpoint objects.</summary>
    public const string CheckpointsPrefix = "audit/checkpoints/";

    private const int MaxField = 1000;
    private const int MaxDetail = 4000;
    private const int MaxRecordBytes = 1 << 20;
    private const int MaxBatch = 256;

    private readonly IObjectStore _store;
    private readonly IObjectBatchStore? _batchStore;
    private readonly AuditOptions _options;
    private readonly X509Certificate2? _signer;
    private readonly HashSet<string> _trusted;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<PendingAppend> _queue = [];
    private bool _writing;
    private bool _disposed;
    private bool _loaded;
    private long _tailSequence;
    private string _tailHash = AuditCodec.GenesisHash;
    private DateTimeOffset _tailTime = DateTimeOffset.MinValue;

    /// <summary>Creates the log over <paramref name="store"/>.</summary>
    /// <param name="store">The archive's object store.</param>
    /// <param name="options">Settings; the signing certificate is loaded from them.</param>
    /// <param name="timeProvider">Clock (tests).</param>
    /// <param name="logger">Logger.</param>
    public ObjectStoreAuditLog(IObjectStore store, AuditOptions options, TimeProvider? timeProvider = null, ILogger<ObjectStoreAuditLog>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _batchStore = store.GetService<IObjectBatchStore>();
        _options = options;
        _signer = options.LoadSigningCertificate();
        _trusted = new HashSet<string>(options.TrustedSignerThumbprints.Select(t => t.ToLowerInvariant()), StringComparer.Ordinal);
        if (_signer is not null)
        {
            _trusted.Add(Thumbprint(_signer));
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Whether checkpoints are signed.</summary>
    public bool SignsCheckpoints => _signer is not null;

    /// <summary>The object key of record <paramref name="sequence"/>.</summary>
    public static string RecordKey(long sequence) => RecordsPrefix + sequence.ToString("D12", CultureInfo.InvariantCulture) + ".json";

    /// <summary>The object key of the checkpoint at <paramref name="sequence"/>.</summary>
    public static string CheckpointKey(long sequence) => CheckpointsPrefix + sequence.ToString("D12", CultureInfo.InvariantCulture) + ".json";

    /// <inheritdoc />
    /// <remarks>
    /// Group commit: the event joins the queue; one writer takes every queued event, chains them onto the tail and
    /// stores them together (<see cref="IObjectBatchStore"/> where the store offers it, else one create-only put after
    /// the other). The call returns when its own record is durable. Cancelling stops the wait, not a write that has
    /// begun: the record may still be stored.
    /// </remarks>
    public async ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        var pending = new PendingAppend(Validate(auditEvent), cancellationToken);
        bool lead;
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queue.Add(pending);
            lead = !_writing;
            _writing = true;
        }

        if (lead)
        {
            // One writer at a time, off the caller's path so that no caller waits for batches queued after its own.
            // Without the caller's execution context: the writer serves every caller, so the lead's ambient state (its
            // activity, logging scope, async-locals) must not follow it into other callers' batches.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(WriteQueuedAsync, CancellationToken.None);
            }
        }

        return await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes batches until the queue is empty.</summary>
    private async Task WriteQueuedAsync()
    {
        while (true)
        {
            List<PendingAppend> batch;
            lock (_queue)
            {
                _queue.RemoveAll(p => p.CancellationToken.IsCancellationRequested && p.Done.TrySetCanceled(p.CancellationToken));
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                var take = Math.Min(_queue.Count, MaxBatch);
                batch = _queue.GetRange(0, take);
                _queue.RemoveRange(0, take);
            }

            try
            {
                await WriteBatchAsync(batch).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Handed to every caller of the batch.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var p in batch)
                {
                    p.Done.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>Chains <paramref name="batch"/> onto the tail and stores it; completes each caller once its record is durable.</summary>
    private async Task WriteBatchAsync(List<PendingAppend> batch)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await EnsureLoadedAsync(CancellationToken.None).ConfigureAwait(false);
            var done = 0;
            for (var attempt = 0; done < batch.Count; attempt++)
            {
                var now = _time.GetUtcNow();
                var records = new AuditRecord[batch.Count - done];
                var (sequence, previous, time) = (_tailSequence, _tailHash, _tailTime);
                for (var i = 0; i < records.Length; i++)
                {
                    var e = batch[done + i].Event;
                    time = now > time ? now : time; // monotonic, so time ranges can be binary-searched
                    sequence++;
                    var hash = AuditCodec.ComputeHash(sequence, time, e, previous);
                    records[i] = new AuditRecord { Sequence = sequence, Timestamp = time, Event = e, PreviousHash = previous, Hash = hash };
                    previous = hash;
                }

                int written;
                try
                {
                    written = await StoreInOrderAsync(records, now).ConfigureAwait(false);
                }
                catch
                {
                    // A prefix may or may not have landed; re-read the tail on the next batch.
                    _loaded = false;
                    throw;
                }

                if (written > 0)
                {
                    (_tailSequence, _tailHash, _tailTime) = (records[written - 1].Sequence, records[written - 1].Hash, records[written - 1].Timestamp);
                    await CheckpointIfDueAsync(records.AsSpan(0, written).ToArray()).ConfigureAwait(false);
                }

                for (var i = 0; i < written; i++)
                {
                    batch[done + i].Done.TrySetResult(records[i]);
                }
                done += written;
                if (done < batch.Count)
                {
                    if (attempt >= 1000)
                    {
                        throw new ArchiveStorageException(_store.SystemName, _store.ContainerName, "put", RecordKey(_tailSequence + 1), "other writers kept taking the next audit sequence");
                    }

                    // Another process took the next sequence: move to the real tail and chain the rest onto it.
                    await AdvanceTailAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stores <paramref name="records"/> in sequence order, create-only, stopping at the first sequence another writer
    /// holds; returns how many were stored (all durable). A record is never stored unless its predecessor is stored.
    /// </summary>
    private async ValueTask<int> StoreInOrderAsync(AuditRecord[] records, DateTimeOffset now)
    {
        var options = WriteOptions(now);
        if (_batchStore is { } batch)
        {
            // One flush for the batch; the store guarantees that what survives a crash is a prefix.
            return await batch.CreateInOrderAsync(records.Select(r => new ObjectBatchItem(RecordKey(r.Sequence), AuditCodec.Serialize(r), options)).ToList(), CancellationToken.None).ConfigureAwait(false);
        }

        // Without that guarantee (e.g. S3, several hosts on one bucket): each record durable before the next is written,
        // so no record ever chains on a predecessor that could still be lost or taken by another host.
        for (var i = 0; i < records.Length; i++)
        {
            try
            {
                await _store.PutBytesAsync(RecordKey(records[i].Sequence), AuditCodec.Serialize(records[i]), options, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectAlreadyExistsException)
            {
                return i;
            }
        }

        return records.Length;
    }

    private async ValueTask CheckpointIfDueAsync(AuditRecord[] written)
    {
        foreach (var record in written)
        {
            if (record.Sequence % _options.CheckpointInterval != 0)
            {
                continue;
            }

            try
            {
                await WriteCheckpointAsync(record.Sequence, record.Hash, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ArchiveStorageException ex)
            {
                // Not fatal: the record is stored; the next on-demand or periodic checkpoint covers it.
                LogCheckpointFailed(_logger, record.Sequence, ex);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<AuditCheckpoint?> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            await AdvanceTailAsync(cancellationToken).ConfigureAwait(false);
            if (_tailSequence == 0)
            {
                return null;
            }

            return await WriteCheckpointAsync(_tailSequence, _tailHash, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The record at <paramref name="sequence"/>, or null when absent or unreadable.</summary>
    public async ValueTask<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken = default)
    {
        var bytes = await ReadBytesAsync(RecordKey(sequence), cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return AuditCodec.Deserialize(bytes);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The highest sequence written so far (as known to this process after re-reading the tail).</summary>
    public async ValueTask<long> GetTailSequenceAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            await AdvanceTailAsync(cancellationToken).ConfigureAwait(false);
            return _tailSequence;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_queue)
        {
            _disposed = true;
        }

        _gate.Dispose();
        _signer?.Dispose();
    }

    internal static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();

    private static AuditEvent Validate(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (string.IsNullOrWhiteSpace(e.Action))
        {
            throw new ArchiveValidationException("action", "audit.action-required", "An audit event needs an action.");
        }

        if (string.IsNullOrWhiteSpace(e.Actor))
        {
            throw new ArchiveValidationException("actor", "audit.actor-required", "An audit event needs an actor (user name, API key name or 'anonymous').");
        }

        if (!Enum.IsDefined(e.Outcome))
        {
            throw new ArchiveValidationException("outcome", "audit.outcome-invalid", $"Unknown audit outcome {(int)e.Outcome}.");
        }

        return e with
        {
            Action = Clip(e.Action, MaxField)!,
            Actor = Clip(e.Actor, MaxField)!,
            ActorId = Clip(e.ActorId, MaxField),
            ActorRoles = Clip(e.ActorRoles, MaxField),
            ActorAgencyId = Clip(e.ActorAgencyId, MaxField),
            ObjectType = Clip(e.ObjectType, MaxField),
            ObjectId = Clip(e.ObjectId, MaxField),
            Detail = Clip(e.Detail, MaxDetail),
            ClientAddress = Clip(e.ClientAddress, MaxField),
        };
    }

    private static string? Clip(string? value, int max) => value is null || value.Length <= max ? value : value[..max] + "…";

    private PutObjectOptions WriteOptions(DateTimeOffset now) => new()
    {
        CreateOnly = true,
        ContentType = "application/json",
        Retention = _store.GetRetention() is { Enforcement: RetentionEnforcement.Worm }
            ? new ObjectRetention(_options.RetentionMode, now + _options.Retention)
            : null,
    };

    private async ValueTask<AuditCheckpoint> WriteCheckpointAsync(long sequence, string hash, CancellationToken cancellationToken)
    {
        var existing = await ReadBytesAsync(CheckpointKey(sequence), cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            try
            {
                return AuditCodec.DeserializeCheckpoint(existing);
            }
            catch (FormatException)
            {
                // Leave the damaged one for verify to report; nothing to overwrite under create-only.
            }
        }

        var now = _time.GetUtcNow();
        var checkpoint = new AuditCheckpoint { Sequence = sequence, Hash = hash, Timestamp = now };
        if (_signer is not null)
        {
            var cms = new SignedCms(new ContentInfo(AuditCodec.CheckpointContent(sequence, hash, now)), detached: true);
            var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, _signer)
            {
                IncludeOption = X509IncludeOption.EndCertOnly,
                DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),
            };
            signer.SignedAttributes.Add(new Pkcs9SigningTime(now.UtcDateTime));
            cms.ComputeSignature(signer, silent: true);
            checkpoint = checkpoint with { Signature = Convert.ToBase64String(cms.Encode()), Signer = _signer.Subject, SignerThumbprint = Thumbprint(_signer) };
        }

        try
        {
            await _store.PutBytesAsync(CheckpointKey(sequence), AuditCodec.Serialize(checkpoint), WriteOptions(now), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another process checkpointed the same sequence first: the same hash, its own signature.
        }

        return checkpoint;
    }

    private async ValueTask EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        // Start from the latest checkpoint whose record still exists (verify reports any truncation).
        long known = 0;
        await foreach (var item in _store.ListAsync(CheckpointsPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ParseSequence(item.Key, CheckpointsPrefix) is { } s)
            {
                known = Math.Max(known, s);
            }
        }

        if (known > 0 && !await ExistsAsync(known, cancellationToken).ConfigureAwait(false))
        {
            known = 0;
        }

        // Gallop: known exists (or is 0); find the first missing key above it, then binary-search the boundary.
        long step = 1;
        long lo = known;
        long hi;
        while (true)
        {
            var probe = lo + step;
            if (await ExistsAsync(probe, cancellationToken).ConfigureAwait(false))
            {
                lo = probe;
                step *= 2;
            }
            else
            {
                hi = probe;
                break;
            }
        }

        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (await ExistsAsync(mid, cancellationToken).ConfigureAwait(false))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        await SetTailAsync(lo, cancellationToken).ConfigureAwait(false);
        await AdvanceTailAsync(cancellationToken).ConfigureAwait(false);
        _loaded = true;
    }

    /// <summary>Moves the tail forward over records other processes appended.</summary>
    private async ValueTask AdvanceTailAsync(CancellationToken cancellationToken)
    {
        while (await ExistsAsync(_tailSequence + 1, cancellationToken).ConfigureAwait(false))
        {
            await SetTailAsync(_tailSequence + 1, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SetTailAsync(long sequence, CancellationToken cancellationToken)
    {
        if (sequence == 0)
        {
            (_tailSequence, _tailHash, _tailTime) = (0, AuditCodec.GenesisHash, DateTimeOffset.MinValue);
            return;
        }

        var bytes = await ReadBytesAsync(RecordKey(sequence), cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveStorageException(_store.SystemName, _store.ContainerName, "get", RecordKey(sequence), "the audit record vanished while the tail was read");
        AuditRecord record;
        try
        {
            record = AuditCodec.Deserialize(bytes);
        }
        catch (FormatException ex)
        {
            throw new ArchiveStorageException(_store.SystemName, _store.ContainerName, "get", RecordKey(sequence), "the audit tail record is damaged; run verify: " + ex.Message, ex);
        }

        (_tailSequence, _tailHash, _tailTime) = (sequence, record.Hash, record.Timestamp);
    }

    private async ValueTask<bool> ExistsAsync(long sequence, CancellationToken cancellationToken)
        => await _store.StatAsync(RecordKey(sequence), cancellationToken).ConfigureAwait(false) is not null;

    private async ValueTask<byte[]?> ReadBytesAsync(string key, CancellationToken cancellationToken)
    {
        var content = await _store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            if (content.Info.Length > MaxRecordBytes)
            {
                throw new ArchiveStorageException(_store.SystemName, _store.ContainerName, "get", key, $"an audit object of {content.Info.Length} bytes is larger than the {MaxRecordBytes} allowed");
            }

            using var buffer = new MemoryStream((int)content.Info.Length);
            await content.Stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    private static long? ParseSequence(string key, string prefix)
    {
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || !key.EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }

        var digits = key.AsSpan(prefix.Length, key.Length - prefix.Length - ".json".Length);
        return digits.Length == 12 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : null;
    }

    /// <summary>An event waiting for its batch.</summary>
    private sealed class PendingAppend(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        public AuditEvent Event { get; } = auditEvent;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<AuditRecord> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 1210, EventName = "AuditCheckpointFailed", Level = LogLevel.Error, Message = "Writing the audit checkpoint at sequence {Sequence} failed; the records are stored, the next checkpoint covers them.")]
    private static partial void LogCheckpointFailed(ILogger logger, long sequence, Exception exception);
}
