using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Archive.Storage;

namespace Archive.Hosting;

/// <summary>
/// Leases kept in the archive's object store, so that a job (the pending-index run, start-up recovery, the OCR queue,
/// a reindex) runs on one host at a time across the hosts sharing the storage, and is picked up by another host when
/// the one running it dies.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> A lease <c>name</c> is a series of generations <c>leases/name/{generation:D12}.json</c>, each
/// written create-only (so the store must report <see cref="ObjectStoreCapabilities.AtomicCreateOnly"/>; on S3 through
/// a coordination bucket): of several hosts taking generation N, exactly one wins. The highest generation is the
/// lease; it holds until its <c>expires</c> (renewed by its holder every third of the lease) or until it is released.
/// Another host takes generation N+1 only once N is released or has expired by more than
/// <see cref="ArchiveHostsOptions.ClockSkew"/> by its own clock; the holder counts its lease lost as soon as a full
/// lease has passed since the start of its last renewal that landed (monotonic clock), and its
/// <see cref="StorageLease.Lost"/> token then stops its work — before anyone else may take over.</para>
/// <para>With one host (<see cref="ArchiveHostsOptions.Shared"/> off) every lease is granted at once and nothing is
/// written.</para>
/// </remarks>
public sealed class StorageLeases
{
    /// <summary>Prefix of every lease object.</summary>
    public const string Prefix = "leases/";

    private readonly IObjectStore _store;
    private readonly ArchiveHostsOptions _hosts;
    private readonly TimeProvider _time;

    /// <summary>Creates the lease service.</summary>
    /// <param name="store">The archive's object store.</param>
    /// <param name="hosts">Whether hosts share the storage, and the lease timings.</param>
    /// <param name="timeProvider">Clock (tests).</param>
    public StorageLeases(IObjectStore store, ArchiveHostsOptions hosts, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(hosts);
        _store = store;
        _hosts = hosts;
        _time = timeProvider ?? TimeProvider.System;
        if (hosts.Shared && !store.Capabilities.HasFlag(ObjectStoreCapabilities.AtomicCreateOnly))
        {
            throw new ArchiveValidationException("hosts.shared", "hosts.shared-needs-atomic-create", $"Archive:Hosts:Shared needs a store whose create-only writes are atomic; {store.SystemName} '{store.ContainerName}' does not report them (for S3, set Archive:Storage:S3:CoordinationBucket to an unversioned bucket).");
        }

        Holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>This process's name in the leases it holds (machine, process id, a random part).</summary>
    public string Holder { get; }

    /// <summary>Whether leases are taken in the store (several hosts) or granted at once (one host).</summary>
    public bool Shared => _hosts.Shared;

    /// <summary>
    /// Takes the lease <paramref name="name"/> when nobody holds it; <see langword="null"/> when another host holds it.
    /// Dispose the lease (or <see cref="StorageLease.ReleaseAsync"/>) when the work is done.
    /// </summary>
    /// <param name="name">The lease, e.g. <c>jobs/pending-index</c> (key rules apply).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    public async ValueTask<StorageLease?> TryAcquireAsync(string name, CancellationToken cancellationToken = default)
    {
        var folder = Prefix + ObjectKey.Normalize(name, "name") + "/";
        if (!_hosts.Shared)
        {
            return new StorageLease(this, folder, null, _time.GetTimestamp());
        }

        var current = await GetCoreAsync(folder, cancellationToken).ConfigureAwait(false);
        if (current is { } held && !held.Info.Released && held.Info.Expires + _hosts.ClockSkew > _time.GetUtcNow())
        {
            return null;
        }

        var generation = (current?.Generation ?? 0) + 1;
        var key = folder + generation.ToString("D12", CultureInfo.InvariantCulture) + ".json";
        var started = _time.GetTimestamp();
        try
        {
            await _store.PutBytesAsync(key, Document(released: false), new PutObjectOptions { CreateOnly = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            return null;
        }

        // Older generations belong to released or dead holders.
        if (current is not null)
        {
            await foreach (var item in _store.ListAsync(folder, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (string.CompareOrdinal(item.Key, key) < 0)
                {
                    await _store.DeleteAsync(item.Key, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        return new StorageLease(this, folder, key, started);
    }

    /// <summary>Who holds the lease <paramref name="name"/> and until when; <see langword="null"/> when nobody does.</summary>
    public async ValueTask<LeaseInfo?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var folder = Prefix + ObjectKey.Normalize(name, "name") + "/";
        var current = _hosts.Shared ? await GetCoreAsync(folder, cancellationToken).ConfigureAwait(false) : null;
        return current is { } c && !c.Info.Released && c.Info.Expires + _hosts.ClockSkew > _time.GetUtcNow() ? c.Info : null;
    }

    private async Task<(long Generation, LeaseInfo Info)?> GetCoreAsync(string folder, CancellationToken cancellationToken)
    {
        string? last = null;
        await foreach (var item in _store.ListAsync(folder, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            last = item.Key;
        }

        if (last is null || !long.TryParse(last.AsSpan(folder.Length, 12), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return null;
        }

        await using var content = await _store.GetAsync(last, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null; // Deleted meanwhile by the next holder: the caller's create-only write decides.
        }

        LeaseDocument? document;
        try
        {
            document = await JsonSerializer.DeserializeAsync(content.Stream, LeaseJsonContext.Default.LeaseDocument, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            document = null;
        }

        // An unreadable generation counts as expired (nothing can renew what nobody can read).
        return (generation, new LeaseInfo(document?.Holder ?? "?", document?.Expires ?? DateTimeOffset.MinValue, document?.Released ?? true));
    }

    internal byte[] Document(bool released) => JsonSerializer.SerializeToUtf8Bytes(
        new LeaseDocument { Holder = Holder, Expires = _time.GetUtcNow() + _hosts.Lease, Released = released },
        LeaseJsonContext.Default.LeaseDocument);

    internal IObjectStore Store => _store;

    internal TimeProvider Time => _time;

    internal TimeSpan Duration => _hosts.Lease;
}

/// <summary>Who holds a lease and until when.</summary>
/// <param name="Holder">The holding process (<see cref="StorageLeases.Holder"/>).</param>
/// <param name="Expires">When it ends unless renewed (the holder's clock).</param>
/// <param name="Released">Whether its holder gave it up.</param>
public sealed record LeaseInfo(string Holder, DateTimeOffset Expires, bool Released);

/// <summary>
/// A lease held by this process: renewed in the background until released; <see cref="Lost"/> fires when it could not
/// be renewed in time (the work must stop: another host may take over).
/// </summary>
public sealed class StorageLease : IAsyncDisposable
{
    private readonly StorageLeases _owner;
    private readonly string? _key;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private long _renewedAt;
    private int _released;

    internal StorageLease(StorageLeases owner, string folder, string? key, long acquiredAt)
    {
        _owner = owner;
        Name = folder[StorageLeases.Prefix.Length..^1];
        _key = key;
        _renewedAt = acquiredAt;
        _renewal = key is null ? Task.CompletedTask : RenewAsync();
    }

    /// <summary>The lease's name.</summary>
    public string Name { get; }

    /// <summary>Cancelled once the lease is lost (not renewed within its duration); never with one host.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Gives the lease up: another host may take it at once.</summary>
    public async ValueTask ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        if (_key is not null && !_lost.IsCancellationRequested)
        {
            try
            {
                await _owner.Store.PutBytesAsync(_key, _owner.Document(released: true), new PutObjectOptions { ContentType = "application/json" }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ArchiveException)
            {
                // It expires on its own.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync().ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }

    private TimeSpan Remaining => _owner.Duration - _owner.Time.GetElapsedTime(Interlocked.Read(ref _renewedAt));

    private async Task RenewAsync()
    {
        var period = _owner.Duration / 3;
        try
        {
            while (true)
            {
                var wait = Remaining < period ? Remaining : period;
                if (wait <= TimeSpan.Zero)
                {
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }

                await Task.Delay(wait, _owner.Time, _stop.Token).ConfigureAwait(false);
                if (Remaining <= TimeSpan.Zero)
                {
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }

                var started = _owner.Time.GetTimestamp();
                try
                {
                    await _owner.Store.PutBytesAsync(_key!, _owner.Document(released: false), new PutObjectOptions { ContentType = "application/json" }, _stop.Token).ConfigureAwait(false);
                    Interlocked.Exchange(ref _renewedAt, started);
                }
                catch (ArchiveException)
                {
                    // Tried again at the next period, or lost when the lease runs out first.
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}

internal sealed class LeaseDocument
{
    [JsonPropertyName("holder")]
    public string Holder { get; set; } = string.Empty;

    [JsonPropertyName("expires")]
    public DateTimeOffset Expires { get; set; }

    [JsonPropertyName("released")]
    public bool Released { get; set; }
}

[JsonSerializable(typeof(LeaseDocument))]
internal sealed partial class LeaseJsonContext : JsonSerializerContext;
