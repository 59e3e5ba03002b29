using Archive.Audit;
using Archive.Core.Tests.Indexing;
using Archive.Core.Tests.Records;
using Archive.Disposition;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Packages;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Moq;
using Xunit;

namespace Archive.Core.Tests.Disposition;

/// <summary>Destruction under an approved decision, on the real engine (AddArchive, file-system store, Lucene).</summary>
public sealed class DispositionTests
{
    private static readonly ArchiveUser Approver = new("Phạm Thị Duyệt");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> CreateFileAsync(ArchiveHarness h, string notation, int year, RetentionPeriod maintenance, bool withContent = false)
    {
        var stored = (await h.Files.CreateAsync(ArchiveHarness.FileInput(notation, year) with { Maintenance = maintenance, Title = "Hồ sơ tiêu hủy thử " + notation }, ArchiveHarness.User, Ct)).Stored;
        if (withContent)
        {
            await h.Files.AddDocumentAsync(stored.Value.FileCode, ArchiveHarness.DocInput(year: year), null, ArchiveHarness.User, Ct);
            await h.Files.AddContentAsync(stored.Value.FileCode, 1, new ContentUpload { FileName = "scan.txt", Content = new MemoryStream("nội dung cần hủy"u8.ToArray()) }, null, ArchiveHarness.User, Ct);
        }

        return stored.Value.FileCode;
    }

    private static DispositionDecisionInput Input(string id, params string[] codes) => new()
    {
        Id = id,
        DecisionNumber = "15/QĐ-BNV",
        DecisionDate = new DateOnly(2026, 5, 4),
        LegalBasis = "Thông tư 06/2025/TT-BNV",
        CouncilMinutesReference = "Biên bản họp Hội đồng xác định giá trị tài liệu ngày 20/4/2026",
        AgencyId = ArchiveHarness.AgencyId,
        ExplanatoryNote = "Rà soát 3 hồ sơ, hủy 3",
        FileCodes = codes,
    };

    private static async Task<IReadOnlyList<AuditRecord>> DispositionEventsAsync(ArchiveHarness h, string fileCode)
        => (await h.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.Disposition, ObjectId = fileCode, PageSize = 1000 }, Ct)).Records;

    [Fact]
    public async Task An_approved_decision_destroys_content_keeps_a_tombstone_audits_and_removes_from_search()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = await CreateFileAsync(h, "01.HUY", 2015, RetentionPeriod.OfYears(10), withContent: true);
        Assert.NotEmpty((await h.SearchAsync("tiêu hủy")).Hits);
        var inventoryDigest = (await h.Services.GetRequiredService<ArchiveStorage>().Files.GetInventoryAsync(code, Ct))!.InventoryDigest;
        var service = h.Services.GetRequiredService<DispositionService>();

        await service.ProposeAsync(Input("QD-2026-01", code), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-01", Approver, Ct);
        var executed = await service.ExecuteAsync("QD-2026-01", Approver, Ct);

        Assert.Equal(DispositionStatus.Executed, executed.Value.Status);
        var result = Assert.Single(executed.Value.Results);
        Assert.Equal((code, DispositionFileOutcome.Destroyed), (result.FileCode, result.Outcome));

        // Content and metadata are gone from the store, the engine and the index.
        Assert.Null(await h.Files.GetAsync(code, Ct));
        Assert.Null(await h.Services.GetRequiredService<ArchiveStorage>().Files.GetInventoryAsync(code, Ct));
        var root = h.Services.GetRequiredService<ArchiveStorage>().Files.GetService<OcflPackageStore>()!.GetObjectRoot(code);
        Assert.Empty(await h.Objects.ListAsync(root, cancellationToken: Ct).ToListAsync(Ct));
        Assert.Empty((await h.SearchAsync("tiêu hủy")).Hits);

        // The tombstone says what was destroyed, under which decision, by whom, with the inventory digest.
        var record = (await service.GetDestructionRecordAsync("QD-2026-01", Ct))!;
        var tombstone = Assert.Single(record.Tombstones);
        Assert.Equal(code, tombstone.FileCode);
        Assert.Equal("Hồ sơ tiêu hủy thử 01.HUY", tombstone.Title);
        Assert.Equal(RetentionPeriod.OfYears(10), tombstone.Maintenance);
        Assert.Equal("15/QĐ-BNV", tombstone.DecisionNumber);
        Assert.Equal(Approver.Name, tombstone.DestroyedBy);
        Assert.Equal(inventoryDigest, tombstone.InventoryDigest);
        Assert.Equal(1, tombstone.ContentFiles);

        var ev = Assert.Single(await DispositionEventsAsync(h, code));
        Assert.Equal((AuditOutcome.Success, Approver.Name), (ev.Event.Outcome, ev.Event.Actor));
        Assert.Contains(inventoryDigest, ev.Event.Detail, StringComparison.Ordinal);

        // Executing again is idempotent.
        Assert.Equal(executed.Version, (await service.ExecuteAsync("QD-2026-01", Approver, Ct)).Version);
        Assert.True((await h.Services.GetRequiredService<IAuditLog>().VerifyAsync(Ct)).IsValid);
    }

    [Fact]
    public async Task Files_under_legal_hold_or_unexpired_or_permanent_retention_are_refused_and_kept()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var held = await CreateFileAsync(h, "02.HOLD", 2015, RetentionPeriod.OfYears(10));
        await h.Files.SetLegalHoldAsync(held, true, "Quyết định tạm giữ của cơ quan điều tra", null, ArchiveHarness.User, Ct);
        var young = await CreateFileAsync(h, "03.YOUNG", 2020, RetentionPeriod.OfYears(10));
        var permanent = await CreateFileAsync(h, "04.PERM", 2010, RetentionPeriod.Permanent);
        var expired = await CreateFileAsync(h, "05.OLD", 2012, RetentionPeriod.OfYears(5));
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-02", held, young, permanent, expired, "KHONG-CO"), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-02", Approver, Ct);

        var results = (await service.ExecuteAsync("QD-2026-02", Approver, Ct)).Value.Results.ToDictionary(r => r.FileCode);

        Assert.Equal((DispositionFileOutcome.Refused, DispositionRules.LegalHold), (results[held].Outcome, results[held].Rule));
        Assert.Equal((DispositionFileOutcome.Refused, DispositionRules.RetentionNotExpired), (results[young].Outcome, results[young].Rule));
        Assert.Contains("2030", results[young].Detail, StringComparison.Ordinal);
        Assert.Equal((DispositionFileOutcome.Refused, DispositionRules.RetentionPermanent), (results[permanent].Outcome, results[permanent].Rule));
        Assert.Equal((DispositionFileOutcome.Refused, DispositionRules.NotFound), (results["KHONG-CO"].Outcome, results["KHONG-CO"].Rule));
        Assert.Equal(DispositionFileOutcome.Destroyed, results[expired].Outcome);

        foreach (var kept in new[] { held, young, permanent })
        {
            Assert.NotNull(await h.Files.GetAsync(kept, Ct));
            var denied = Assert.Single(await DispositionEventsAsync(h, kept));
            Assert.Equal(AuditOutcome.Denied, denied.Event.Outcome);
        }

        Assert.Null(await h.Files.GetAsync(expired, Ct));
        Assert.Single((await service.GetDestructionRecordAsync("QD-2026-02", Ct))!.Tombstones);
    }

    [Fact]
    public async Task Without_approval_or_with_self_approval_nothing_is_destroyed()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = await CreateFileAsync(h, "06.OLD", 2012, RetentionPeriod.OfYears(5));
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-03", code), ArchiveHarness.User, Ct);

        var notApproved = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await service.ExecuteAsync("QD-2026-03", Approver, Ct));
        Assert.Equal(DispositionRules.NotApproved, notApproved.Rule);

        var self = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.ApproveAsync("QD-2026-03", ArchiveHarness.User, Ct));
        Assert.Equal(("approvedBy", DispositionRules.SelfApproval), (Assert.Single(self.Errors).Field, Assert.Single(self.Errors).Rule));
        Assert.Equal(DispositionStatus.Proposed, (await service.GetAsync("QD-2026-03", Ct))!.Value.Status);

        Assert.NotNull(await h.Files.GetAsync(code, Ct));
        var denials = (await h.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { ObjectId = "QD-2026-03", Outcome = AuditOutcome.Denied }, Ct)).Records;
        Assert.Equal(2, denials.Count);
    }

    [Fact]
    public async Task A_decision_missing_its_legal_elements_is_refused_field_by_field()
    {
        await using var h = ArchiveHarness.Create();
        var service = h.Services.GetRequiredService<DispositionService>();
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await service.ProposeAsync(new DispositionDecisionInput { Id = "bad id", FileCodes = ["A", "A"] }, ArchiveHarness.User, Ct));
        var fields = ex.Errors.Select(e => (e.Field, e.Rule)).ToHashSet();
        Assert.Contains(("id", "format"), fields);
        Assert.Contains(("decisionNumber", "required"), fields);
        Assert.Contains(("legalBasis", "required"), fields);
        Assert.Contains(("councilMinutesReference", "required"), fields);
        Assert.Contains(("decisionDate", "required"), fields);
        Assert.Contains(("fileCodes", "unique"), fields);
    }

    [Fact]
    public async Task Every_committed_change_is_audited_with_actor_object_and_version_message()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = await CreateFileAsync(h, "07.AUDIT", 2015, RetentionPeriod.OfYears(10), withContent: true);
        var log = h.Services.GetRequiredService<IAuditLog>();

        var changes = (await log.QueryAsync(new AuditQuery { Action = AuditActions.Change, PageSize = 1000 }, Ct)).Records;

        Assert.Contains(changes, r => r.Event is { ObjectType: "agency", ObjectId: ArchiveHarness.AgencyId });
        Assert.Contains(changes, r => r.Event is { ObjectType: "fonds", ObjectId: ArchiveHarness.FondsCode });
        var fileEvents = changes.Where(r => r.Event.ObjectType == "record-file" && r.Event.ObjectId == code).ToList();
        Assert.Equal(3, fileEvents.Count); // create, add document, add content
        Assert.All(fileEvents, r => Assert.Equal(ArchiveHarness.User.Name, r.Event.Actor));
        Assert.StartsWith("v1: Create record file", fileEvents[0].Event.Detail, StringComparison.Ordinal);
        Assert.Empty(await h.Objects.ListAsync(AuditJournal.PendingPrefix, cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_committed_change_whose_append_failed_is_reconciled_from_the_package_history()
    {
        await using var h = ArchiveHarness.Create();
        var storage = h.Services.GetRequiredService<ArchiveStorage>();
        IPackageStore inner = storage.Agencies.GetService<OcflPackageStore>()!;
        var log = h.Services.GetRequiredService<IAuditLog>();
        var options = new AuditOptions { PendingGrace = TimeSpan.Zero };
        var failing = new Mock<IAuditTrail>();
        failing.Setup(t => t.AppendAsync(It.IsAny<AuditEvent>(), It.IsAny<CancellationToken>())).ThrowsAsync(new ArchiveStorageException("s3", "b", "put", "audit/records/x", "unavailable"));
        var broken = new AuditJournal(h.Objects, failing.Object, options);

        // The commit stands although its audit append failed; the intent stays behind.
        var store = broken.Wrap((_, _) => inner)(h.Objects, ArchiveStorage.AgenciesRoot);
        using (var json = new MemoryStream("{}"u8.ToArray()))
        {
            var commit = new PackageCommit { ExpectedHead = 0, Message = "Register agency X", UserName = "Nguyễn Văn An" }.Put("metadata/agency.json", json);
            Assert.Equal(1, (await store.CommitAsync("X", commit, Ct)).Head);
        }

        Assert.Single(await h.Objects.ListAsync(AuditJournal.PendingPrefix, cancellationToken: Ct).ToListAsync(Ct));

        var healthy = new AuditJournal(h.Objects, log, options);
        healthy.Wrap((_, _) => inner)(h.Objects, ArchiveStorage.AgenciesRoot);
        Assert.Equal(1, await healthy.ReconcileAsync(all: true, Ct));

        var ev = Assert.Single((await log.QueryAsync(new AuditQuery { ObjectId = "X" }, Ct)).Records);
        Assert.Equal((AuditOutcome.Success, "Nguyễn Văn An", "agency"), (ev.Event.Outcome, ev.Event.Actor, ev.Event.ObjectType));
        Assert.Contains("v1: Register agency X", ev.Event.Detail, StringComparison.Ordinal);
        Assert.Contains("reconciled", ev.Event.Detail, StringComparison.Ordinal);
        Assert.Empty(await h.Objects.ListAsync(AuditJournal.PendingPrefix, cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_projection_in_flight_when_its_record_file_is_destroyed_does_not_bring_it_back()
    {
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var index = h.Services.GetRequiredService<ControlledIndex>();
        var code = await CreateFileAsync(h, "08.RACE", 2012, RetentionPeriod.OfYears(5), withContent: true);
        Assert.NotEmpty((await h.SearchAsync("tiêu hủy")).Hits);
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-08", code), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-08", Approver, Ct);

        // A last change is being projected: its search documents were read from storage and are held on their way into
        // the index while the record file is destroyed.
        index.Block();
        await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("08.RACE", 2012) with { Maintenance = RetentionPeriod.OfYears(5), Title = "Hồ sơ tiêu hủy thử, sửa lần cuối" }, null, ArchiveHarness.User, Ct);
        Assert.True(await WaitUntilAsync(() => index.Waiting > 0, Long));
        var deletes = index.Deletes;
        var execute = service.ExecuteAsync("QD-2026-08", Approver, Ct).AsTask();

        // The destruction removes the record file from the index (at once, or after the projection in flight).
        await WaitUntilAsync(() => index.Deletes > deletes || execute.IsCompleted, TimeSpan.FromSeconds(1));
        index.Release();
        var executed = await execute.WaitAsync(Long, Ct);
        Assert.Equal(DispositionFileOutcome.Destroyed, Assert.Single(executed.Value.Results).Outcome);

        // Nothing of it is searchable: not after the projection ended, not after a restart's pending run, not after a reindex.
        Assert.Equal(0, (await h.SearchAsync("")).Total);
        Assert.Empty(await h.Indexer.ListPendingAsync(Ct));
        await h.ReopenAsync();
        Assert.Equal(0, await h.Files.IndexPendingAsync(Ct));
        Assert.Equal(0, (await h.SearchAsync("")).Total);
        await h.Reindex.RunAsync(cancellationToken: Ct);
        Assert.Equal(0, (await h.SearchAsync("")).Total);
    }

    [Fact]
    public async Task A_projection_that_read_its_record_file_before_the_destruction_leaves_it_out_of_the_index()
    {
        await using var h = ArchiveHarness.Create(services: HookedStore.Use);
        await h.SeedAsync();
        var code = await CreateFileAsync(h, "13.READ", 2012, RetentionPeriod.OfYears(5), withContent: true);
        Assert.Equal(2, (await h.SearchAsync("")).Total);
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-13", code), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-13", Approver, Ct);

        // The projector of a last change has read the record file from storage (its last object, a document's text) and
        // not yet written it to the index when the decision is executed.
        var store = (HookedStore)h.Objects;
        var root = h.Services.GetRequiredService<ArchiveStorage>().Files.GetService<OcflPackageStore>()!.GetObjectRoot(code);
        var executed = new TaskCompletionSource<DispositionFileOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.AfterGet = async key =>
        {
            if (key.StartsWith(root, StringComparison.Ordinal) && key.EndsWith(".pages.json", StringComparison.Ordinal))
            {
                store.AfterGet = null;
                executed.SetResult((await service.ExecuteAsync("QD-2026-13", Approver, Ct)).Value.Results.Single().Outcome);
            }
        };
        await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("13.READ", 2012) with { Maintenance = RetentionPeriod.OfYears(5), Title = "Hồ sơ tiêu hủy thử, sửa lần cuối" }, null, ArchiveHarness.User, Ct);
        Assert.Equal(DispositionFileOutcome.Destroyed, await executed.Task.WaitAsync(Long, Ct));

        Assert.Equal(0, (await h.SearchAsync("")).Total);
        Assert.Empty(await h.Indexer.ListPendingAsync(Ct));
    }

    [Fact]
    public async Task A_new_record_file_taking_the_code_of_a_destroyed_one_is_searchable()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = await CreateFileAsync(h, "14.AGAIN", 2012, RetentionPeriod.OfYears(5), withContent: true);
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-14", code), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-14", Approver, Ct);
        await service.ExecuteAsync("QD-2026-14", Approver, Ct);
        Assert.Equal(0, (await h.SearchAsync("")).Total);

        // What is left out of the index is the destroyed record file, not its code.
        Assert.Equal(code, await CreateFileAsync(h, "14.AGAIN", 2012, RetentionPeriod.OfYears(5)));
        Assert.Equal([code], (await h.SearchAsync("")).Hits.Select(x => x.Document.Id));
    }

    [Fact]
    public async Task A_destruction_interrupted_when_it_removes_the_flag_leaves_nothing_for_the_start_up_run_to_bring_back()
    {
        await using var h = ArchiveHarness.Create(services: HookedStore.Use);
        await h.SeedAsync();
        var code = await CreateFileAsync(h, "15.CRASH", 2012, RetentionPeriod.OfYears(5), withContent: true);
        Assert.Equal(2, (await h.SearchAsync("")).Total);
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-15", code), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-15", Approver, Ct);

        // A change whose projection never finished left its flag (an index outage, a crash); the destruction dies
        // when it removes that flag.
        await h.Indexer.FlagPendingAsync(code, "projection failed", Ct);
        ((HookedStore)h.Objects).FailDelete = key => key == RecordIndexer.PendingPrefix + code;
        await Assert.ThrowsAsync<IOException>(async () => await service.ExecuteAsync("QD-2026-15", Approver, Ct));
        var left = await IdsAsync(h);

        // The next start-up's pending run does not bring back anything the interrupted destruction had removed.
        await h.ReopenAsync();
        await h.Files.IndexPendingAsync(Ct);
        Assert.Subset(left, await IdsAsync(h));

        // Executing again finishes the destruction, and nothing comes back after another start-up.
        var executed = await h.Services.GetRequiredService<DispositionService>().ExecuteAsync("QD-2026-15", Approver, Ct);
        Assert.Equal(DispositionFileOutcome.Destroyed, executed.Value.Results.Single().Outcome);
        Assert.Empty(await IdsAsync(h));
        await h.ReopenAsync();
        Assert.Equal(0, await h.Files.IndexPendingAsync(Ct));
        Assert.Empty(await IdsAsync(h));

        static async Task<HashSet<string>> IdsAsync(ArchiveHarness h) => [.. (await h.SearchAsync("")).Hits.Select(x => x.Document.Id)];
    }

    [Fact]
    public async Task A_record_file_destroyed_while_a_rebuild_reads_it_is_not_brought_back_by_the_swap()
    {
        await using var h = ArchiveHarness.Create(services: HookedStore.Use);
        await h.SeedAsync();
        var destroyed = await CreateFileAsync(h, "09.REBUILD", 2012, RetentionPeriod.OfYears(5), withContent: true);
        var kept = await CreateFileAsync(h, "10.KEPT", 2020, RetentionPeriod.OfYears(10));
        Assert.Equal(3, (await h.SearchAsync("")).Total);
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-09", destroyed), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-09", Approver, Ct);

        // The rebuild has read the record file from storage (its last object, a document's text) when the decision is
        // executed; its search documents reach the new index after the destruction removed them from the live one.
        var store = (HookedStore)h.Objects;
        var text = h.Services.GetRequiredService<ArchiveStorage>().Files.GetService<OcflPackageStore>()!.GetObjectRoot(destroyed);
        var executed = false;
        store.AfterGet = async key =>
        {
            if (key.StartsWith(text, StringComparison.Ordinal) && key.EndsWith(".pages.json", StringComparison.Ordinal))
            {
                store.AfterGet = null;
                executed = (await service.ExecuteAsync("QD-2026-09", Approver, Ct)).Value.Results.Single().Outcome == DispositionFileOutcome.Destroyed;
            }
        };
        await h.Reindex.RunAsync(cancellationToken: Ct);
        Assert.True(executed);

        Assert.Equal([kept], (await h.SearchAsync("")).Hits.Select(x => x.Document.Id));
    }

    [Fact]
    public async Task A_record_file_destroyed_while_a_rebuild_is_interrupted_is_not_brought_back_when_it_resumes_after_a_restart()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var destroyed = await CreateFileAsync(h, "11.RESUME", 2012, RetentionPeriod.OfYears(5), withContent: true);
        var kept = await CreateFileAsync(h, "12.KEPT", 2020, RetentionPeriod.OfYears(10));
        Assert.Equal(3, (await h.SearchAsync("")).Total);
        var service = h.Services.GetRequiredService<DispositionService>();
        await service.ProposeAsync(Input("QD-2026-11", destroyed), ArchiveHarness.User, Ct);
        await service.ApproveAsync("QD-2026-11", Approver, Ct);

        // The rebuild stops right after it wrote the record file into its new index (batches of one).
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var progress = new SyncProgress(s =>
            {
                if (s.State == ReindexState.Running && s.LastFileCode == destroyed)
                {
                    stop.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await h.Reindex.RunAsync(new ReindexRequest { BatchSize = 1 }, progress, stop.Token));
        }

        Assert.NotNull(await h.Reindex.GetCheckpointAsync(Ct));
        Assert.Equal(DispositionFileOutcome.Destroyed, (await service.ExecuteAsync("QD-2026-11", Approver, Ct)).Value.Results.Single().Outcome);
        Assert.Equal([kept], (await h.SearchAsync("")).Hits.Select(x => x.Document.Id));

        // A restart, and the rebuild resumed and swapped in: it held the destroyed record file, which must not come back.
        await h.ReopenAsync();
        Assert.True((await h.Reindex.RunAsync(new ReindexRequest { BatchSize = 1 }, cancellationToken: Ct)).Resumed);
        Assert.Equal([kept], (await h.SearchAsync("")).Hits.Select(x => x.Document.Id));
        Assert.Empty(await h.Objects.ListAsync(RecordIndexer.DestroyedPrefix, cancellationToken: Ct).ToListAsync(Ct));
    }

    /// <summary>The folder store, with a hook run after an object is opened for reading.</summary>
    private sealed class HookedStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public Func<string, Task>? AfterGet { get; set; }

        /// <summary>Deletes of the keys it matches fail, as if the process died there.</summary>
        public Func<string, bool>? FailDelete { get; set; }

        public static void Use(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<IObjectStore>(sp => new HookedStore(new FileSystemObjectStore(
            new FileSystemStoreOptions { RootPath = Path.Combine(sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.DataPath, "store") }))));

        public override async ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            var content = await base.GetAsync(key, range, cancellationToken);
            if (AfterGet is { } after)
            {
                await after(key);
            }

            return content;
        }

        public override ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
            => FailDelete?.Invoke(key) == true ? throw new IOException("simulated crash before deleting " + key) : base.DeleteAsync(key, cancellationToken);
    }

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="timeout"/> passed; false then.</summary>
    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            await Task.Delay(10, Ct);
        }

        return true;
    }

    private sealed class SyncProgress(Action<ReindexStatus> report) : IProgress<ReindexStatus>
    {
        public void Report(ReindexStatus value) => report(value);
    }
}
