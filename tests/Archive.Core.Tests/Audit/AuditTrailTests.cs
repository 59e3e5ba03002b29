using Xunit;
using System.Text;
using Archive.Audit;
using Archive.Storage;

namespace Archive.Core.Tests.Audit;

/// <summary>The hash-chained audit log on the file-system store: appends, tamper detection, checkpoints, queries.</summary>
public sealed class AuditTrailTests : IDisposable
{
    private const string Password = "mật-khẩu-thử";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly AuditStoreFolder _folder = new();
    private readonly ManualClock _clock = new(Start);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private ObjectStoreAuditLog NewLog(int interval = 10, string? certificatePath = null, IObjectStore? store = null)
    {
        var options = new AuditOptions { CheckpointInterval = interval, SigningCertificatePath = certificatePath, SigningCertificatePassword = certificatePath is null ? null : Password };
        return new ObjectStoreAuditLog(store ?? _folder.Store, options, _clock);
    }

    private async Task<ObjectStoreAuditLog> FilledAsync(int count, int interval = 10, string? certificatePath = null)
    {
        var log = NewLog(interval, certificatePath);
        for (var i = 1; i <= count; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await log.AppendAsync(AuditEvents.Change(i % 3 == 0 ? "Trần Thị Bình" : "Nguyễn Văn An", $"H49.2024.{i:D2}", $"v{i}: sửa hồ sơ"), Ct);
        }

        return log;
    }

    private async Task<byte[]> ReadAsync(string key)
    {
        await using var content = await _folder.Store.GetAsync(key, cancellationToken: Ct);
        using var buffer = new MemoryStream();
        await content!.Stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    private async Task WriteAsync(string key, byte[] bytes) => await _folder.Store.PutBytesAsync(key, bytes, cancellationToken: Ct);

    private static IReadOnlyList<AuditProblem> Errors(AuditVerification v) => v.Problems.Where(p => !p.IsWarning).ToList();

    [Fact]
    public async Task A_clean_chain_verifies_and_reports_unsigned_checkpoints_as_warnings()
    {
        using var log = await FilledAsync(25);

        var report = await log.VerifyAsync(Ct);

        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(25, report.RecordsChecked);
        Assert.Equal(2, report.CheckpointsChecked);
        Assert.Equal(25, report.LastSequence);
        Assert.Equal([10L, 20L], report.Problems.Where(p => p.Kind == AuditProblemKind.Unsigned).Select(p => p.Sequence));
        Assert.All(report.Problems, p => Assert.True(p.IsWarning));

        var first = await log.GetAsync(1, Ct);
        Assert.Equal(AuditCodec.GenesisHash, first!.PreviousHash);
        var second = await log.GetAsync(2, Ct);
        Assert.Equal(first.Hash, second!.PreviousHash);
        Assert.Equal(AuditCodec.ComputeHash(2, second.Timestamp, second.Event, second.PreviousHash), second.Hash);
    }

    [Fact]
    public async Task Editing_a_record_is_detected_at_its_sequence()
    {
        using var log = await FilledAsync(12);
        var key = ObjectStoreAuditLog.RecordKey(7);
        var text = Encoding.UTF8.GetString(await ReadAsync(key));
        Assert.Contains("Nguyễn Văn An", text, StringComparison.Ordinal);
        await WriteAsync(key, Encoding.UTF8.GetBytes(text.Replace("Nguyễn Văn An", "Người Khác", StringComparison.Ordinal)));

        var report = await log.VerifyAsync(Ct);

        Assert.False(report.IsValid);
        var problem = Assert.Single(Errors(report));
        Assert.Equal((7L, AuditProblemKind.Edited), (problem.Sequence, problem.Kind));
    }

    [Fact]
    public async Task Whitespace_only_edits_are_detected_too()
    {
        using var log = await FilledAsync(3);
        var key = ObjectStoreAuditLog.RecordKey(2);
        var text = Encoding.UTF8.GetString(await ReadAsync(key));
        await WriteAsync(key, Encoding.UTF8.GetBytes(text.Replace(",", ", ", StringComparison.Ordinal)));

        var problem = Assert.Single(Errors(await log.VerifyAsync(Ct)));
        Assert.Equal((2L, AuditProblemKind.Edited), (problem.Sequence, problem.Kind));
    }

    [Fact]
    public async Task An_edit_with_a_recomputed_hash_breaks_the_link_to_the_next_record()
    {
        using var log = await FilledAsync(12);
        var record = (await log.GetAsync(7, Ct))!;
        var forged = record with { Event = record.Event with { Actor = "Người Khác" } };
        forged = forged with { Hash = AuditCodec.ComputeHash(forged.Sequence, forged.Timestamp, forged.Event, forged.PreviousHash) };
        await WriteAsync(ObjectStoreAuditLog.RecordKey(7), AuditCodec.Serialize(forged));

        var problem = Assert.Single(Errors(await log.VerifyAsync(Ct)));
        Assert.Equal((8L, AuditProblemKind.Reordered), (problem.Sequence, problem.Kind));
    }

    [Fact]
    public async Task Deleting_a_record_is_detected_as_removed()
    {
        using var log = await FilledAsync(12);
        Assert.True(await _folder.Store.DeleteAsync(ObjectStoreAuditLog.RecordKey(5), Ct));

        var report = await log.VerifyAsync(Ct);

        var problem = Assert.Single(Errors(report));
        Assert.Equal((5L, AuditProblemKind.Removed), (problem.Sequence, problem.Kind));
        Assert.Equal(11, report.RecordsChecked);
    }

    [Fact]
    public async Task Swapping_two_records_is_detected_as_reordered()
    {
        using var log = await FilledAsync(12);
        var three = await ReadAsync(ObjectStoreAuditLog.RecordKey(3));
        var six = await ReadAsync(ObjectStoreAuditLog.RecordKey(6));
        await WriteAsync(ObjectStoreAuditLog.RecordKey(3), six);
        await WriteAsync(ObjectStoreAuditLog.RecordKey(6), three);

        var errors = Errors(await log.VerifyAsync(Ct));

        Assert.All(errors, p => Assert.Equal(AuditProblemKind.Reordered, p.Kind));
        Assert.Contains(errors, p => p.Sequence == 3);
        Assert.Contains(errors, p => p.Sequence == 6);
        Assert.DoesNotContain(errors, p => p.Sequence is < 3 or > 7);
    }

    [Fact]
    public async Task Truncating_the_tail_behind_a_checkpoint_is_detected()
    {
        using var log = await FilledAsync(25);
        for (var s = 18; s <= 25; s++)
        {
            await _folder.Store.DeleteAsync(ObjectStoreAuditLog.RecordKey(s), Ct);
        }

        var report = await log.VerifyAsync(Ct);

        var problem = Assert.Single(Errors(report));
        Assert.Equal((20L, AuditProblemKind.Truncated), (problem.Sequence, problem.Kind));
        Assert.Equal(17, report.LastSequence);
    }

    [Fact]
    public async Task Truncating_and_rewriting_the_chain_is_caught_by_the_checkpoint_hash()
    {
        using var log = await FilledAsync(12);
        for (var s = 10; s <= 12; s++)
        {
            await _folder.Store.DeleteAsync(ObjectStoreAuditLog.RecordKey(s), Ct);
        }

        // A fresh writer continues from record 9 with other events: the chain is internally consistent again.
        using (var rewriter = NewLog(interval: 1000))
        {
            await rewriter.AppendAsync(AuditEvents.Change("kẻ giả mạo", "H49.2024.99"), Ct);
        }

        var problem = Assert.Single(Errors(await log.VerifyAsync(Ct)));
        Assert.Equal((10L, AuditProblemKind.Truncated), (problem.Sequence, problem.Kind));
    }

    [Fact]
    public async Task Signed_checkpoints_verify_and_a_forged_checkpoint_is_detected()
    {
        var pfx = TestCertificates.CreatePfx(_folder.Path, "Audit Signer", Password);
        using var log = await FilledAsync(12, certificatePath: pfx);
        Assert.True(log.SignsCheckpoints);
        var clean = await log.VerifyAsync(Ct);
        Assert.True(clean.IsValid, string.Join("\n", clean.Problems));
        Assert.Empty(clean.Problems);

        var key = ObjectStoreAuditLog.CheckpointKey(10);
        var checkpoint = AuditCodec.DeserializeCheckpoint(await ReadAsync(key));
        Assert.NotNull(checkpoint.Signature);
        await WriteAsync(key, AuditCodec.Serialize(checkpoint with { Hash = new string('a', 64) }));

        var errors = Errors(await log.VerifyAsync(Ct));

        Assert.Contains(errors, p => p is { Sequence: 10, Kind: AuditProblemKind.BadSignature });
        Assert.Contains(errors, p => p is { Sequence: 10, Kind: AuditProblemKind.Truncated });
    }

    [Fact]
    public async Task A_checkpoint_signed_by_an_untrusted_certificate_is_a_bad_signature()
    {
        var pfx = TestCertificates.CreatePfx(_folder.Path, "Audit Signer", Password);
        var intruder = TestCertificates.CreatePfx(_folder.Path, "Intruder", Password);
        using var log = await FilledAsync(13, certificatePath: pfx);
        using (var forger = NewLog(certificatePath: intruder))
        {
            Assert.Equal(13, (await forger.CheckpointAsync(Ct))!.Sequence);
        }

        var problem = Assert.Single(Errors(await log.VerifyAsync(Ct)));
        Assert.Equal((13L, AuditProblemKind.BadSignature), (problem.Sequence, problem.Kind));
        Assert.Contains("not a trusted audit signer", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_checkpoint_is_an_error_once_a_signing_certificate_is_configured()
    {
        using (var unsigned = await FilledAsync(10))
        {
        }

        var pfx = TestCertificates.CreatePfx(_folder.Path, "Audit Signer", Password);
        using var log = NewLog(certificatePath: pfx);
        var problem = Assert.Single(Errors(await log.VerifyAsync(Ct)));
        Assert.Equal((10L, AuditProblemKind.Unsigned), (problem.Sequence, problem.Kind));
    }

    [Fact]
    public async Task A_new_instance_finds_the_tail_and_continues_the_chain()
    {
        using (var first = await FilledAsync(37))
        {
        }

        using var second = NewLog();
        var record = await second.AppendAsync(AuditEvents.Change("Lê Văn C", "H49.2025.01"), Ct);

        Assert.Equal(38, record.Sequence);
        Assert.Equal((await second.GetAsync(37, Ct))!.Hash, record.PreviousHash);
        Assert.True((await second.VerifyAsync(Ct)).IsValid);
    }

    [Fact]
    public async Task Concurrent_appenders_in_two_processes_give_a_gap_free_chain()
    {
        // Two log instances over one store stand for two processes: only the create-only put keeps them apart.
        using var a = NewLog(interval: 7, store: _folder.Store);
        using var b = NewLog(interval: 7, store: _folder.Store);
        var tasks = new List<Task<AuditRecord>>();
        for (var i = 0; i < 40; i++)
        {
            var log = i % 2 == 0 ? a : b;
            var n = i;
            tasks.Add(Task.Run(async () => await log.AppendAsync(AuditEvents.Change("user-" + (n % 5), "H49.2024." + n), Ct), Ct));
        }

        var records = await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), records.Select(r => r.Sequence).Order());
        var report = await a.VerifyAsync(Ct);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(40, report.RecordsChecked);
    }

    [Fact]
    public async Task An_event_without_actor_or_action_is_refused()
    {
        using var log = NewLog();
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await log.AppendAsync(new AuditEvent { Action = "change", Actor = " " }, Ct));
        Assert.Equal("actor", Assert.Single(ex.Errors).Field);
        Assert.Equal(0, await log.GetTailSequenceAsync(Ct));
    }

    [Fact]
    public async Task Queries_filter_by_actor_action_object_outcome_and_time_and_page_both_ways()
    {
        using var log = await FilledAsync(30);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await log.AppendAsync(new AuditEvent { Action = AuditActions.Export, Actor = "Nguyễn Văn An", ObjectType = "handover-package", ObjectId = "BG-01", Outcome = AuditOutcome.Failure, Detail = "rejected" }, Ct);

        var byActor = await log.QueryAsync(new AuditQuery { Actor = "trần thị bình", PageSize = 1000 }, Ct);
        Assert.Equal(10, byActor.Records.Count);
        Assert.All(byActor.Records, r => Assert.Equal(0, r.Sequence % 3));
        Assert.Null(byActor.NextCursor);

        var failures = await log.QueryAsync(new AuditQuery { Outcome = AuditOutcome.Failure }, Ct);
        Assert.Equal(31, Assert.Single(failures.Records).Sequence);
        Assert.Equal(AuditActions.Export, (await log.QueryAsync(new AuditQuery { Action = AuditActions.Export }, Ct)).Records.Single().Event.Action);
        Assert.Equal(12, (await log.QueryAsync(new AuditQuery { ObjectId = "H49.2024.12" }, Ct)).Records.Single().Sequence);

        // Records 5..9 were stamped at Start + 5..9 minutes.
        var window = await log.QueryAsync(new AuditQuery { From = Start.AddMinutes(5), To = Start.AddMinutes(10) }, Ct);
        Assert.Equal([5L, 6, 7, 8, 9], window.Records.Select(r => r.Sequence));
        Assert.True(window.Scanned <= 6, $"scanned {window.Scanned}: the time bound must be found by binary search");
        var windowDesc = await log.QueryAsync(new AuditQuery { From = Start.AddMinutes(5), To = Start.AddMinutes(10), NewestFirst = true }, Ct);
        Assert.Equal([9L, 8, 7, 6, 5], windowDesc.Records.Select(r => r.Sequence));

        // Paging newest first, 4 per page, without overlap or gap.
        var seen = new List<long>();
        long? cursor = null;
        do
        {
            var page = await log.QueryAsync(new AuditQuery { NewestFirst = true, PageSize = 4, Cursor = cursor }, Ct);
            seen.AddRange(page.Records.Select(r => r.Sequence));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Range(1, 31).Reverse().Select(i => (long)i), seen);

        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await log.QueryAsync(new AuditQuery { PageSize = 0 }, Ct));
        Assert.Equal("pageSize", Assert.Single(bad.Errors).Field);
    }
}
