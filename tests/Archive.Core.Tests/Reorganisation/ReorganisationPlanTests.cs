using Archive.Core.Tests.Records;
using Archive.Reorganisation;
using Xunit;
using static Archive.Core.Tests.Reorganisation.ReorgFixture;

namespace Archive.Core.Tests.Reorganisation;

public sealed class ReorganisationPlanTests
{
    [Fact]
    public async Task Generated_plan_covers_the_guidance_and_report_finds_overlap_omission_overdue_and_progress()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = Create();
        await h.SeedCommunesAsync();
        await h.Events().RecordAsync(Consolidation(), ArchiveHarness.User, ct);

        var plan = await h.Plans().GenerateAsync("2025-NQ-1656", ArchiveHarness.User, ct);
        Assert.Equal(14, plan.Value.Tasks.Count);
        foreach (var agency in new[] { A, B })
        {
            var kinds = plan.Value.Tasks.Where(t => t.AgencyId == agency).Select(t => t.Kind).ToList();
            Assert.Equal(Enum.GetValues<PlanTaskKind>().Where(k => k != PlanTaskKind.Other), kinds);
        }

        var handoverA = Assert.Single(plan.Value.Tasks, t => t.AgencyId == A && t.Kind == PlanTaskKind.Handover);
        Assert.Equal("Ủy ban nhân dân xã An Bình", handoverA.LeadUnit);
        Assert.Equal(new[] { "Ủy ban nhân dân xã An Minh" }, handoverA.CoordinatingUnits);
        Assert.Equal(Effective.AddDays(45), handoverA.Deadline);
        Assert.Contains("Lưu trữ lịch sử tỉnh", plan.Value.Tasks.First(t => t.Kind == PlanTaskKind.TransferToHistoricalArchives).CoordinatingUnits);
        await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Plans().GenerateAsync("2025-NQ-1656", ArchiveHarness.User, ct));

        var clean = await h.Plans().ReportAsync("2025-NQ-1656", Effective, ct);
        Assert.Empty(clean.Overlaps);
        Assert.Empty(clean.Omissions);
        Assert.Empty(clean.Overdue);
        Assert.Equal(0, clean.Overall.Percent);

        // Overlap: a second handover task for A led by another unit.
        var v = await h.Plans().AddTaskAsync("2025-NQ-1656", new PlanTaskInput { Kind = PlanTaskKind.Handover, AgencyId = A, Title = "Bàn giao tài liệu số", LeadUnit = "Văn phòng UBND xã An Minh", Deadline = Effective.AddDays(40) }, plan.Version, ArchiveHarness.User, ct);
        Assert.Equal("T015", v.Value.Tasks[^1].Id);

        // Omissions: B's handover task turned into something else; a task without lead and deadline.
        var handoverB = v.Value.Tasks.Single(t => t.AgencyId == B && t.Kind == PlanTaskKind.Handover);
        v = await h.Plans().UpdateTaskAsync("2025-NQ-1656", handoverB.Id, new PlanTaskInput { Kind = PlanTaskKind.Other, AgencyId = B, Title = "Họp giao ban", LeadUnit = handoverB.LeadUnit, Deadline = handoverB.Deadline }, v.Version, ArchiveHarness.User, ct);
        var reviewB = v.Value.Tasks.Single(t => t.AgencyId == B && t.Kind == PlanTaskKind.ReviewAndWeed);
        v = await h.Plans().UpdateTaskAsync("2025-NQ-1656", reviewB.Id, new PlanTaskInput { Kind = reviewB.Kind, AgencyId = B, Title = reviewB.Title }, v.Version, ArchiveHarness.User, ct);

        // Progress: A's first task done.
        var first = v.Value.Tasks[0];
        v = await h.Plans().UpdateTaskAsync("2025-NQ-1656", first.Id, new PlanTaskInput { Kind = first.Kind, AgencyId = A, Title = first.Title, LeadUnit = first.LeadUnit, Deadline = first.Deadline, Status = PlanTaskStatus.Done }, v.Version, ArchiveHarness.User, ct);

        // Stale version and an agency outside the event are refused.
        await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () => await h.Plans().AddTaskAsync("2025-NQ-1656", new PlanTaskInput { AgencyId = A, Title = "x" }, plan.Version, ArchiveHarness.User, ct));
        var invalid = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Plans().AddTaskAsync("2025-NQ-1656", new PlanTaskInput { AgencyId = D, Title = " " }, null, ArchiveHarness.User, ct));
        Assert.Contains(invalid.Errors, e => e.Field == "agencyId" && e.Rule == "plan.agency-not-affected");
        Assert.Contains(invalid.Errors, e => e.Field == "title" && e.Rule == "required");

        var report = await h.Plans().ReportAsync("2025-NQ-1656", Effective.AddDays(31), ct);
        var overlap = Assert.Single(report.Overlaps);
        Assert.Equal(A, overlap.AgencyId);
        Assert.Equal(new[] { handoverA.Id, "T015" }, overlap.TaskIds);
        Assert.Contains(report.Omissions, o => o.Rule == "plan.missing-handover" && o.AgencyId == B);
        Assert.DoesNotContain(report.Omissions, o => o.Rule == "plan.missing-handover" && o.AgencyId == A);
        Assert.DoesNotContain(report.Omissions, o => o.Rule == "plan.missing-backup");
        Assert.Contains(report.Omissions, o => o.Rule == "plan.task-without-lead" && o.TaskIds.SequenceEqual(new[] { reviewB.Id }));
        Assert.Contains(report.Omissions, o => o.Rule == "plan.task-without-deadline" && o.TaskIds.SequenceEqual(new[] { reviewB.Id }));

        // Overdue on day 31: review (15), inventories (20), packaging (25), backup (30) — not the done one.
        Assert.DoesNotContain(report.Overdue, t => t.Id == first.Id);
        Assert.All(report.Overdue, t => Assert.True(t.Deadline < Effective.AddDays(31)));
        Assert.Equal(4 + 4, report.Overdue.Count); // A: 4 (review done), B: 5 minus review (no deadline) = 4
        var progressA = Assert.Single(report.ByAgency, p => p.Scope == A);
        Assert.Equal((1, 8, 12.5), (progressA.Done, progressA.Total, progressA.Percent));
        Assert.Equal((1, 15), (report.Overall.Done, report.Overall.Total));

        // Every change is a version.
        Assert.Equal(5, (await h.Plans().GetHistoryAsync("2025-NQ-1656", ct)).Count);
    }
}
