using System.Security.Cryptography;
using System.Text;
using Archive.Audit;
using Archive.Storage;
using Xunit;

namespace Archive.Core.Tests.Audit;

/// <summary>
/// The principal id and roles of an audit event (#22 item 2): stored and hashed only when present, so a trail written
/// before they existed keeps its bytes, its hashes and its verification.
/// </summary>
public sealed class AuditActorIdTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly AuditStoreFolder _folder = new();
    private readonly ManualClock _clock = new(Start);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_record_stored_before_actor_ids_still_reads_and_verifies_and_new_records_chain_after_it()
    {
        // Record 1 exactly as the codec wrote it before actorId/actorRoles existed.
        var content = "{\"sequence\":1,\"timestamp\":\"2026-03-01T08:00:00.0000000Z\",\"event\":{\"action\":\"change\",\"actor\":\"ops\",\"actorAgencyId\":null,"
            + "\"objectType\":\"record-file\",\"objectId\":\"H49.2024.01\",\"outcome\":\"Success\",\"detail\":\"v1: lập hồ sơ\",\"clientAddress\":null},"
            + "\"previousHash\":\"" + AuditCodec.GenesisHash + "\"}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        var stored = Encoding.UTF8.GetBytes(content[..^1] + ",\"hash\":\"" + hash + "\"}");
        await _folder.Store.PutBytesAsync(ObjectStoreAuditLog.RecordKey(1), stored, cancellationToken: Ct);

        var old = AuditCodec.Deserialize(stored);
        Assert.Null(old.Event.ActorId);
        Assert.Null(old.Event.ActorRoles);
        Assert.Equal(stored, AuditCodec.Serialize(old)); // same bytes, same hash
        Assert.Equal(hash, AuditCodec.ComputeHash(old.Sequence, old.Timestamp, old.Event, old.PreviousHash));

        using var log = new ObjectStoreAuditLog(_folder.Store, new AuditOptions { CheckpointInterval = 100 }, _clock);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var appended = await log.AppendAsync(new AuditEvent
        {
            Action = AuditActions.Change,
            Actor = "ops",
            ActorId = "apikey:0123456789abcdef",
            ActorRoles = "clerk",
            ActorAgencyId = "000.00.00.H49",
            ObjectType = "record-file",
            ObjectId = "H49.2024.01",
            Detail = "v2",
        }, Ct);
        Assert.Equal(2, appended.Sequence);
        Assert.Equal(hash, appended.PreviousHash);

        var report = await log.VerifyAsync(Ct);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(2, report.RecordsChecked);

        var read = await log.GetAsync(2, Ct);
        Assert.Equal("apikey:0123456789abcdef", read!.Event.ActorId);
        Assert.Equal("clerk", read.Event.ActorRoles);

        // The principal id is covered by the hash: changing it breaks the chain.
        var forged = read with { Event = read.Event with { ActorId = "apikey:ffffffffffffffff" } };
        await _folder.Store.PutBytesAsync(ObjectStoreAuditLog.RecordKey(2), AuditCodec.Serialize(forged), cancellationToken: Ct);
        Assert.False((await log.VerifyAsync(Ct)).IsValid);

        // Queries by principal id.
        var byId = await log.QueryAsync(new AuditQuery { ActorId = "apikey:ffffffffffffffff" }, Ct);
        Assert.Equal([2L], byId.Records.Select(r => r.Sequence));
    }
}
