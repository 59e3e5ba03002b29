using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Archive.Hosting;
using Archive.Packages;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Audit;

/// <summary>
/// Audits every committed package version (the one funnel all engine changes go through), without a silent gap.
/// </summary>
/// <remarks>
/// <para>Per commit: (1) an <em>intent</em> object <c>audit/pending/{id}.json</c> is written (if that fails, the change
/// is refused — nothing is committed without its audit intent); (2) the package version is committed; (3) a
/// <see cref="AuditActions.Change"/> event is appended (actor = the version's user name, actor id = its address, object = the package, detail = the
/// version message and number); (4) the intent is deleted.</para>
/// <para>A crash or an append failure between (2) and (3) leaves the intent behind. <see cref="ReconcileAsync"/> — run
/// on first use and then at most once per <see cref="AuditOptions.PendingGrace"/> with each commit — finds intents
/// older than the grace period, looks the version up in the package history and appends the event it proves
/// (marked "reconciled"), or a <see cref="AuditOutcome.Failure"/> event when the commit never happened. So an event
/// may arrive late, never silently not at all (as long as the intent object is not removed by hand).</para>
/// </remarks>
public sealed partial class AuditJournal
{
    /// <summary>Prefix of change intents.</summary>
    public const string PendingPrefix = "audit/pending/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IObjectStore _store;
    private readonly IAuditTrail _trail;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, IPackageStore> _roots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private long _lastReconcileTicks = long.MinValue;
    private int _reconciling;

    /// <summary>Creates the journal.</summary>
    public AuditJournal(IObjectStore store, IAuditTrail trail, AuditOptions options, TimeProvider? timeProvider = null, ILogger<AuditJournal>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _trail = trail;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The object type recorded for packages of a storage root (e.g. <c>ocfl/files</c> → <c>record-file</c>).</summary>
    public static string ObjectTypeOf(string root) => root switch
    {
        "ocfl/agencies" => "agency",
        "ocfl/fonds" => "fonds",
        "ocfl/files" => "record-file",
        "ocfl/schedules" => "schedule",
        "ocfl/events" => "reorganisation-event",
        "ocfl/plans" => "reorganisation-plan",
        "ocfl/dispositions" => "disposition-decision",
        "ocfl/rooms" => "storage-room",
        _ => root.StartsWith("ocfl/", StringComparison.Ordinal) ? root[5..] : root,
    };

    /// <summary>Wraps a package factory so that every store it creates audits its commits.</summary>
    public PackageStoreFactory Wrap(PackageStoreFactory inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return (objects, root) =>
        {
            var store = inner(objects, root);
            if (!_options.AuditChanges)
            {
                return store;
            }

            _roots.TryAdd(root, store);
            return new AuditedPackageStore(store, root, this);
        };
    }

    /// <summary>
    /// Appends the events of unfinished intents older than <see cref="AuditOptions.PendingGrace"/> (or all, with
    /// <paramref name="all"/>, when no commit is running anywhere), from the package history. Returns how many were settled.
    /// </summary>
    public async ValueTask<int> ReconcileAsync(bool all = false, CancellationToken cancellationToken = default)
    {
        var settled = 0;
        var now = _time.GetUtcNow();
        await foreach (var item in _store.ListAsync(PendingPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var id = item.Key[PendingPrefix.Length..];
            if (_inFlight.ContainsKey(id) || (!all && now - item.LastModified < _options.PendingGrace))
            {
                continue;
            }

            ChangeIntent? intent;
            var content = await _store.GetAsync(item.Key, null, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                continue;
            }

            await using (content.ConfigureAwait(false))
            {
                try
                {
                    intent = await JsonSerializer.DeserializeAsync<ChangeIntent>(content.Stream, Json, cancellationToken).ConfigureAwait(false);
                }
                catch (JsonException)
                {
                    intent = null;
                }
            }

            if (intent is null)
            {
                LogBadIntent(_logger, item.Key);
                continue;
            }

            var version = await FindVersionAsync(intent, cancellationToken).ConfigureAwait(false);
            await _trail.AppendAsync(version is { } v
                ? intent.ToEvent(AuditOutcome.Success, v, reconciled: true)
                : intent.ToEvent(AuditOutcome.Failure, null, reconciled: true), cancellationToken).ConfigureAwait(false);
            await _store.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false);
            settled++;
        }

        return settled;
    }

    internal async ValueTask<PackageInventory> CommitAsync(IPackageStore inner, string root, string packageId, PackageCommit commit, CancellationToken cancellationToken)
    {
        await MaybeReconcileAsync(cancellationToken).ConfigureAwait(false);
        var baseHead = commit.ExpectedHead ?? (await inner.GetInventoryAsync(packageId, cancellationToken).ConfigureAwait(false))?.Head ?? 0;
        var intent = new ChangeIntent
        {
            Id = Guid.NewGuid().ToString("N"),
            Root = root,
            PackageId = packageId,
            BaseHead = baseHead,
            UserName = string.IsNullOrWhiteSpace(commit.UserName) ? "system" : commit.UserName,
            UserAddress = string.IsNullOrWhiteSpace(commit.UserAddress) ? null : commit.UserAddress,
            Message = commit.Message,
            Started = _time.GetUtcNow(),
        };
        var key = PendingPrefix + intent.Id + ".json";
        _inFlight.TryAdd(intent.Id + ".json", 0);
        try
        {
            // (1) No change without its audit intent.
            await _store.PutBytesAsync(key, JsonSerializer.SerializeToUtf8Bytes(intent, Json), new PutObjectOptions { CreateOnly = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);

            // (2) The change.
            PackageInventory inventory;
            try
            {
                inventory = await inner.CommitAsync(packageId, commit, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Refused (concurrency, checksum...) — or failed after its commit point: look before dropping the intent.
                if (await FindVersionAsync(intent, CancellationToken.None).ConfigureAwait(false) is { } landed)
                {
                    await CompleteAsync(key, intent.ToEvent(AuditOutcome.Success, landed, reconciled: false)).ConfigureAwait(false);
                }
                else
                {
                    await DropAsync(key).ConfigureAwait(false);
                }

                throw;
            }

            // (3) + (4). The change is committed whatever happens now: a failed append leaves the intent for reconciliation.
            await CompleteAsync(key, intent.ToEvent(AuditOutcome.Success, inventory.HeadVersion, reconciled: false)).ConfigureAwait(false);
            return inventory;
        }
        finally
        {
            _inFlight.TryRemove(intent.Id + ".json", out _);
        }
    }

    private async ValueTask CompleteAsync(string key, AuditEvent auditEvent)
    {
        try
        {
            await _trail.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArchiveException or IOException)
        {
            LogAppendFailed(_logger, auditEvent.ObjectType, auditEvent.ObjectId, key, ex);
            return;
        }

        await DropAsync(key).ConfigureAwait(false);
    }

    private async ValueTask DropAsync(string key)
    {
        try
        {
            await _store.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ArchiveStorageException ex)
        {
            // The event is appended; reconciliation would find the version and append it a second time (a duplicate, not a gap).
            LogDropFailed(_logger, key, ex);
        }
    }

    private async ValueTask MaybeReconcileAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastReconcileTicks);
        if (last != long.MinValue && now - last < _options.PendingGrace.Ticks)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _reconciling, 1, 0) != 0)
        {
            return;
        }

        try
        {
            Interlocked.Exchange(ref _lastReconcileTicks, now);
            await ReconcileAsync(all: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArchiveException or IOException)
        {
            LogReconcileFailed(_logger, ex);
        }
        finally
        {
            Interlocked.Exchange(ref _reconciling, 0);
        }
    }

    private async ValueTask<PackageVersion?> FindVersionAsync(ChangeIntent intent, CancellationToken cancellationToken)
    {
        if (!_roots.TryGetValue(intent.Root, out var store))
        {
            return null;
        }

        var inventory = await store.GetInventoryAsync(intent.PackageId, cancellationToken).ConfigureAwait(false);
        return inventory?.Versions.FirstOrDefault(v => v.Number > intent.BaseHead
            && string.Equals(v.Message, intent.Message, StringComparison.Ordinal)
            && string.Equals(v.UserName ?? "system", intent.UserName, StringComparison.Ordinal));
    }

    [LoggerMessage(EventId = 1200, EventName = "AuditAppendFailed", Level = LogLevel.Critical, Message = "The change to {ObjectType} '{ObjectId}' is committed but its audit event could not be appended; intent {Key} stays for reconciliation.")]
    private static partial void LogAppendFailed(ILogger logger, string? objectType, string? objectId, string key, Exception exception);

    [LoggerMessage(EventId = 1201, EventName = "AuditIntentDropFailed", Level = LogLevel.Error, Message = "The audit intent {Key} could not be deleted; reconciliation will append its event a second time.")]
    private static partial void LogDropFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 1202, EventName = "AuditIntentUnreadable", Level = LogLevel.Error, Message = "The audit intent {Key} is unreadable; it is left for an operator.")]
    private static partial void LogBadIntent(ILogger logger, string key);

    [LoggerMessage(EventId = 1203, EventName = "AuditReconcileFailed", Level = LogLevel.Error, Message = "Reconciling audit intents failed; retried later.")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);

    /// <summary>A change about to be committed (stored until its audit event is appended).</summary>
    internal sealed record ChangeIntent
    {
        public required string Id { get; init; }

        public required string Root { get; init; }

        public required string PackageId { get; init; }

        public required int BaseHead { get; init; }

        public required string UserName { get; init; }

        /// <summary>The version's user address (the principal id of an API caller, e.g. <c>apikey:&lt;id&gt;</c>); absent in intents written before it existed.</summary>
        public string? UserAddress { get; init; }

        public string? Message { get; init; }

        public required DateTimeOffset Started { get; init; }

        public AuditEvent ToEvent(AuditOutcome outcome, PackageVersion? version, bool reconciled) => new()
        {
            Action = AuditActions.Change,
            Actor = UserName,
            ActorId = UserAddress,
            ObjectType = ObjectTypeOf(Root),
            ObjectId = PackageId,
            Outcome = outcome,
            Detail = (version is null
                    ? "Not committed (the process ended or the commit failed): "
                    : "v" + version.Number.ToString(CultureInfo.InvariantCulture) + ": ")
                + Message
                + (reconciled ? " [reconciled from the package history]" : string.Empty),
        };
    }
}

/// <summary>
/// A package store whose commits go through <see cref="AuditJournal"/>; everything else, recovery, fixity and
/// <see cref="IPackageStore.GetService"/> included, is passed through to the wrapped store.
/// </summary>
public sealed class AuditedPackageStore : DelegatingPackageStore
{
    private readonly string root;
    private readonly AuditJournal journal;

    internal AuditedPackageStore(IPackageStore inner, string root, AuditJournal journal)
        : base(inner)
    {
        this.root = root;
        this.journal = journal;
    }

    /// <inheritdoc />
    public override ValueTask<PackageInventory> CommitAsync(string packageId, PackageCommit commit, CancellationToken cancellationToken = default)
        => journal.CommitAsync(InnerStore, root, packageId, commit, cancellationToken);
}
