using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    /// <summary>
    /// A commit's claim on version N (<c>vN/inventory.json</c>, written create-only): its nonce, and on a shared storage
    /// root the lease it holds, renewed in the background until the version's real inventory replaces the claim.
    /// </summary>
    private sealed class VersionClaim : IAsyncDisposable
    {
        private readonly OcflPackageStore _store;
        private readonly string _key;
        private readonly string _version;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;
        private long _renewedAt;

        public VersionClaim(OcflPackageStore store, string key, string version, string nonce, long acquiredAt)
        {
            _store = store;
            _key = key;
            _version = version;
            Nonce = nonce;
            _renewedAt = acquiredAt;
            _renewal = store._options.SharedStorage ? RenewAsync() : Task.CompletedTask;
        }

        public string Nonce { get; }

        /// <summary>
        /// Where this commit's content goes inside <c>vN/content/</c>: nothing with one writing process; on a shared
        /// root a folder of this claim's own (<c>.c&lt;nonce&gt;/</c>), so that a write of a stalled writer whose claim
        /// was taken over, still in flight, can never land on the content of the commit that got the version (OCFL
        /// allows any content path under the content directory; the logical paths are unchanged).
        /// </summary>
        public string ContentPrefix { get; init; } = string.Empty;

        /// <summary>Objects of a dead attempt removed from the version folder when it was claimed.</summary>
        public int LeftoversRemoved { get; init; }

        /// <summary>Set when the claim was found replaced by another writer's.</summary>
        public bool Lost { get; private set; }

        public void MarkLost() => Lost = true;

        /// <summary>How long the lease still holds by this process's monotonic clock (from the start of the last renewal that landed).</summary>
        public TimeSpan Remaining => _store._options.CommitLease - _store._time.GetElapsedTime(Interlocked.Read(ref _renewedAt));

        /// <summary>
        /// Whether the claim may still be acted on: always with one writing process; on a shared root only while at
        /// least half the lease remains (the time the last writes of the commit may take).
        /// </summary>
        public bool Safe => !Lost && (!_store._options.SharedStorage || Remaining >= _store._options.CommitLease / 2);

        /// <summary>Whether what this commit wrote may still be deleted: nobody can have taken the version over yet.</summary>
        public bool Held => !Lost && (!_store._options.SharedStorage || Remaining > TimeSpan.Zero);

        /// <summary>Stops renewing (before the claim is replaced by the real inventory, or on failure).</summary>
        public async Task StopAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }

            await _renewal.ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task RenewAsync()
        {
            var period = _store._options.CommitLease / 3;
            try
            {
                while (true)
                {
                    await Task.Delay(period, _store._time, _stop.Token).ConfigureAwait(false);
                    if (Remaining <= TimeSpan.Zero)
                    {
                        return; // Lost: never overwrite a claim another writer may have taken over since.
                    }

                    var started = _store._time.GetTimestamp();
                    try
                    {
                        await _store._objects.PutBytesAsync(_key, _store.ClaimBytes(_version, Nonce), new PutObjectOptions { ContentType = "application/json" }, _stop.Token).ConfigureAwait(false);
                        Interlocked.Exchange(ref _renewedAt, started);
                    }
                    catch (ArchiveException)
                    {
                        // Try again next period; the commit checks the remaining lease before its commit point.
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>The content folder of a commit on a shared root (same length for every nonce).</summary>
    private static string CommitFolder(string nonce) => ".c" + nonce[..8] + "/";

    private byte[] ClaimBytes(string version, string nonce) => JsonSerializer.SerializeToUtf8Bytes(new OcflClaimDocument
    {
        Claim = $"commit of {version} in progress",
        Writer = _writerId,
        Nonce = nonce,
        Created = OcflInventoryDocument.FormatCreated(_time.GetUtcNow()),
        Expires = _options.SharedStorage ? OcflInventoryDocument.FormatCreated(_time.GetUtcNow() + _options.CommitLease) : null,
    }, OcflJsonContext.Readable.OcflClaimDocument);

    /// <summary>
    /// Claims version <paramref name="number"/>: writes <c>vN/inventory.json</c> create-only (atomic on the store, so of
    /// several writers exactly one wins). On a shared storage root a claim whose lease has expired (its writer died) is
    /// taken over — through a create-only takeover marker named after the dead claim's digest, so that of several
    /// writers only one replaces it — and whatever the dead attempt left in the version folder is removed under the new
    /// claim. A live claim, or a lost race, is a <see cref="PackageConcurrencyException"/>.
    /// </summary>
    private async Task<VersionClaim> ClaimVersionAsync(string id, string objectRoot, int number, PackageCommit commit, CancellationToken cancellationToken)
    {
        var version = OcflInventoryDocument.VersionName(number);
        var versionRoot = objectRoot + version + "/";
        var claimKey = versionRoot + InventoryName;
        var nonce = Guid.NewGuid().ToString("N");
        var acquiredAt = _time.GetTimestamp();
        try
        {
            await _objects.PutBytesAsync(claimKey, ClaimBytes(version, nonce), new PutObjectOptions { CreateOnly = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException) when (_options.SharedStorage)
        {
            await TakeOverAsync(id, objectRoot, versionRoot, number, commit, cancellationToken).ConfigureAwait(false);
            acquiredAt = _time.GetTimestamp();
            try
            {
                await _objects.PutBytesAsync(claimKey, ClaimBytes(version, nonce), new PutObjectOptions { CreateOnly = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectAlreadyExistsException)
            {
                throw new PackageConcurrencyException(id, commit.ExpectedHead, number - 1);
            }
        }
        catch (ObjectAlreadyExistsException)
        {
            throw new PackageConcurrencyException(id, commit.ExpectedHead, number - 1);
        }

        var removed = 0;
        if (_options.SharedStorage)
        {
            // Whatever a dead attempt left here (content, takeover markers) goes now, under this claim: no live writer
            // can be writing into this version folder.
            var leftovers = new List<string>();
            await foreach (var item in _objects.ListAsync(versionRoot, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (item.Key != claimKey)
                {
                    leftovers.Add(item.Key);
                }
            }

            foreach (var key in leftovers)
            {
                removed += await _objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        return new VersionClaim(this, claimKey, version, nonce, acquiredAt)
        {
            LeftoversRemoved = removed,
            ContentPrefix = _options.SharedStorage ? CommitFolder(nonce) : string.Empty,
        };
    }

    /// <summary>Replaces an expired claim of another writer by nothing (the caller then claims again), or throws.</summary>
    private async Task TakeOverAsync(string id, string objectRoot, string versionRoot, int number, PackageCommit commit, CancellationToken cancellationToken)
    {
        var claimKey = versionRoot + InventoryName;
        var seen = await ReadClaimStateAsync(claimKey, cancellationToken).ConfigureAwait(false);
        if (seen is null)
        {
            return; // Gone meanwhile (rolled back): claim again.
        }

        if (seen.Value.Expires + _options.ClockSkew > _time.GetUtcNow())
        {
            throw new PackageConcurrencyException(id, commit.ExpectedHead, number - 1);
        }

        // Of several writers finding the same dead claim, one wins this marker.
        var marker = versionRoot + "takeover-" + seen.Value.Digest[..32];
        try
        {
            await _objects.PutBytesAsync(marker, ReadOnlyMemory<byte>.Empty, new PutObjectOptions { CreateOnly = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            throw new PackageConcurrencyException(id, commit.ExpectedHead, number - 1);
        }

        // Still the same dead claim, and the version still uncommitted? (A slow writer may come here long after.)
        var again = await ReadClaimStateAsync(claimKey, cancellationToken).ConfigureAwait(false);
        var current = await LoadAsync(id, objectRoot, cancellationToken).ConfigureAwait(false);
        if (again?.Digest != seen.Value.Digest || (current?.HeadNumber ?? 0) >= number)
        {
            await _objects.DeleteAsync(marker, CancellationToken.None).ConfigureAwait(false);
            throw new PackageConcurrencyException(id, commit.ExpectedHead, current?.HeadNumber ?? 0);
        }

        await _objects.DeleteAsync(claimKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The digest of what holds <c>vN/inventory.json</c> and when its lease ends: a claim's <c>expires</c>; for a real
    /// inventory (a commit that died between writing it and the root inventory) its write time plus one lease, the
    /// longest its writer may still be acting on it.
    /// </summary>
    private async Task<(string Digest, DateTimeOffset Expires)?> ReadClaimStateAsync(string claimKey, CancellationToken cancellationToken)
    {
        var info = await _objects.StatAsync(claimKey, cancellationToken).ConfigureAwait(false);
        var bytes = info is null ? null : await ReadSmallAsync(claimKey, cancellationToken).ConfigureAwait(false);
        if (info is null || bytes is null)
        {
            return null;
        }

        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        OcflClaimDocument? claim = null;
        try
        {
            claim = JsonSerializer.Deserialize(bytes, OcflJsonContext.Default.OcflClaimDocument);
        }
        catch (JsonException)
        {
        }

        var expires = claim?.Expires is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : info.LastModified + _options.CommitLease;
        return (digest, expires);
    }
}
