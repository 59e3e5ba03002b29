using Archive.Core.Tests.Records;
using Archive.Records;
using Archive.Reorganisation;
using Xunit;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;

namespace Archive.Core.Tests.Reorganisation;

public sealed class ReorganisationEventTests
{
    [Fact]
    public async Task Apply_closes_fonds_moves_custody_and_is_idempotent_and_chain_spans_events()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();

        // Not applied yet: custody unchanged.
        await h.Events().RecordAsync(Consolidation(), ArchiveHarness.User, ct);
        Assert.Equal(A, (await h.Events().WhoHoldsAsync("P-A", Effective, ct)).CustodianAgencyId);

        // Cannot apply before the effective date.
        var early = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Events().ApplyAsync("2025-NQ-1656", Effective.AddDays(-1), ArchiveHarness.User, ct));
        Assert.Equal("reorganisation.not-yet-effective", early.Rule);

        var applied = await h.Events().ApplyAsync("2025-NQ-1656", Effective, ArchiveHarness.User, ct);
        Assert.False(applied.AlreadyApplied);
        Assert.Equal(ReorganisationEventStatus.Applied, applied.Event.Status);
        foreach (var (agency, fonds) in new[] { (A, "P-A"), (B, "P-B") })
        {
            Assert.Equal(AgencyStatus.Consolidated, (await h.Agencies.GetAsync(agency, ct))!.Value.Status);
            var f = (await h.Fonds.GetAsync(fonds, ct))!.Value;
            Assert.Equal(FondsStatus.Closed, f.Status);
            Assert.Equal(Effective, f.ClosedOn);
            Assert.Contains("1656/NQ-UBTVQH15", f.ClosingReason, StringComparison.Ordinal);
            Assert.Equal(C, f.CustodianAgencyId);
        }

        Assert.Equal(FondsStatus.Open, (await h.Fonds.GetAsync("P-C", ct))!.Value.Status);

        // A closed fonds takes no new record file.
        await Assert.ThrowsAsync<FondsClosedException>(async () => await h.Files.CreateAsync(ArchiveHarness.FileInput(fondsCode: "P-A"), ArchiveHarness.User, ct));

        // Idempotent: nothing changes the second time.
        var fondsVersions = (await h.Fonds.GetHistoryAsync("P-A", ct)).Count;
        var eventVersions = (await h.Events().GetHistoryAsync("2025-NQ-1656", ct)).Count;
        var again = await h.Events().ApplyAsync("2025-NQ-1656", Effective.AddDays(3), ArchiveHarness.User, ct);
        Assert.True(again.AlreadyApplied);
        Assert.Equal(fondsVersions, (await h.Fonds.GetHistoryAsync("P-A", ct)).Count);
        Assert.Equal(eventVersions, (await h.Events().GetHistoryAsync("2025-NQ-1656", ct)).Count);

        // Second event: C is split; each fonds it holds goes to the successor named for it.
        var split = new ReorganisationEventInput
        {
            Id = "2025-QD-2001",
            Kind = ReorganisationKind.Split,
            DecisionNumber = "2001/QĐ-UBND",
            DecisionDate = new DateOnly(2025, 8, 20),
            EffectiveDate = new DateOnly(2025, 9, 1),
            Affected =
            [
                new AffectedAgency
                {
                    AgencyId = C,
                    Fonds = [new FondsSuccession("P-A", D), new FondsSuccession("P-B", E), new FondsSuccession("P-C", D)],
                },
            ],
        };
        await h.RecordAndApplyAsync(split);
        Assert.Equal(AgencyStatus.Split, (await h.Agencies.GetAsync(C, ct))!.Value.Status);
        Assert.Equal(FondsStatus.Closed, (await h.Fonds.GetAsync("P-C", ct))!.Value.Status);
        Assert.Equal(E, (await h.Fonds.GetAsync("P-B", ct))!.Value.CustodianAgencyId);

        var now = await h.Events().WhoHoldsAsync("P-A", new DateOnly(2025, 10, 1), ct);
        Assert.Equal(D, now.CustodianAgencyId);
        Assert.Equal(new[] { "2025-NQ-1656", "2025-QD-2001" }, now.Chain.Select(s => s.EventId));
        Assert.Equal(new[] { A, C }, now.Chain.Select(s => s.FromAgencyId));
        Assert.Equal(new[] { C, D }, now.Chain.Select(s => s.ToAgencyId));

        var between = await h.Events().WhoHoldsAsync(A, new DateOnly(2025, 8, 1), ct);
        Assert.Equal("P-A", between.FondsCode);
        Assert.Equal(C, between.CustodianAgencyId);
        Assert.Single(between.Chain);

        var before = await h.Events().WhoHoldsAsync("P-B", new DateOnly(2025, 1, 1), ct);
        Assert.Equal(B, before.CustodianAgencyId);
        Assert.Empty(before.Chain);

        // The events survive a restart (they are packages).
        await h.ReopenAsync();
        Assert.Equal(E, (await h.Events().WhoHoldsAsync("P-B", new DateOnly(2026, 1, 1), ct)).CustodianAgencyId);
    }

    [Fact]
    public async Task Validation_names_field_and_rule_and_stores_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();

        var bad = new ReorganisationEventInput
        {
            Id = "bad id!",
            Kind = ReorganisationKind.Merger,
            DecisionNumber = " ",
            Affected =
            [
                new AffectedAgency { AgencyId = "000.09.31.H26", SuccessorAgencyId = C },
                new AffectedAgency { AgencyId = A, SuccessorAgencyId = A },
            ],
        };
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Events().RecordAsync(bad, ArchiveHarness.User, ct));
        var rules = ex.Errors.Select(e => (e.Field, e.Rule)).ToList();
        Assert.Contains(("id", "reorganisation.id-format"), rules);
        Assert.Contains(("decisionNumber", "required"), rules);
        Assert.Contains(("decisionDate", "required"), rules);
        Assert.Contains(("effectiveDate", "required"), rules);
        Assert.Contains(("affected[0].agencyId", "agency.not-found"), rules);
        Assert.Contains(("affected[1].successorAgencyId", "successor.self"), rules);
        Assert.Empty(await h.Events().ListAsync(ct));

        // A cycle within an event, and across recorded (not yet applied) events.
        var cycle = Consolidation("E-CYCLE") with
        {
            Kind = ReorganisationKind.Split,
            Affected = [new AffectedAgency { AgencyId = A, SuccessorAgencyId = B }, new AffectedAgency { AgencyId = B, SuccessorAgencyId = A }],
        };
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Events().RecordAsync(cycle, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e.Rule == "successor.cycle");

        await h.Events().RecordAsync(Consolidation("E-1") with { Kind = ReorganisationKind.Merger, Affected = [new AffectedAgency { AgencyId = D, SuccessorAgencyId = E }] }, ArchiveHarness.User, ct);
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Events().RecordAsync(
            Consolidation("E-2") with { Kind = ReorganisationKind.Merger, Affected = [new AffectedAgency { AgencyId = E, SuccessorAgencyId = D }] }, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e.Rule == "successor.cycle" && e.Field == "affected");

        // A split must name a successor for every fonds; a consolidation needs two agencies.
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Events().RecordAsync(
            Consolidation("E-3") with { Kind = ReorganisationKind.Split, Affected = [new AffectedAgency { AgencyId = C }] }, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e.Rule == "split.fonds-successor-required" && e.Field == "affected[0].fonds");
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Events().RecordAsync(
            Consolidation("E-4") with { Affected = [new AffectedAgency { AgencyId = A, SuccessorAgencyId = C }] }, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e.Rule == "consolidation.two-or-more");

        // After the consolidation, a consolidated agency cannot be named as successor, nor be reorganised again.
        await h.RecordAndApplyAsync(Consolidation());
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Events().RecordAsync(
            Consolidation("E-5") with { Kind = ReorganisationKind.Dissolution, Affected = [new AffectedAgency { AgencyId = C, SuccessorAgencyId = A }, new AffectedAgency { AgencyId = B, SuccessorAgencyId = C }] }, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e.Rule == "successor.inactive" && e.Field == "affected[0].successorAgencyId");
        Assert.Contains(ex.Errors, e => e.Rule == "agency.not-active" && e.Field == "affected[1].agencyId");

        // Duplicate id.
        var dup = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Events().RecordAsync(
            Consolidation("E-1") with { Kind = ReorganisationKind.Merger, Affected = [new AffectedAgency { AgencyId = D, SuccessorAgencyId = E }] }, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.AlreadyExists, dup.Rule);
    }

    [Fact]
    public async Task Event_not_yet_effective_today_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();
        var future = DateOnly.FromDateTime(DateTime.Today.AddDays(30));
        await h.Events().RecordAsync(Consolidation("E-F") with { DecisionDate = future.AddDays(-10), EffectiveDate = future }, ArchiveHarness.User, ct);
        var ex = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Events().ApplyAsync("E-F", future, ArchiveHarness.User, ct));
        Assert.Equal("reorganisation.not-yet-effective", ex.Rule);
        Assert.Equal(FondsStatus.Open, (await h.Fonds.GetAsync("P-A", ct))!.Value.Status);
        Assert.Equal(AgencyStatus.Active, (await h.Agencies.GetAsync(A, ct))!.Value.Status);
    }
}
