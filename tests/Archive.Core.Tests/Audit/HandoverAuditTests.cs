using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Reorganisation;
using Archive.Handover;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Audit;

/// <summary>Handover export and import leave audit events with their outcome.</summary>
public sealed class HandoverAuditTests
{
    [Fact]
    public async Task Export_and_rejected_and_accepted_imports_are_audited()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ReorgFixture.Create();
        await h.SeedCommunesAsync();
        await h.Files.CreateAsync(ArchiveHarness.FileInput("01.VP", 2024, "P-C"), ArchiveHarness.User, ct);
        var dir = Path.Combine(h.DataPath, "bags");
        Directory.CreateDirectory(dir);
        var bag = Path.Combine(dir, "P-C");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=UBND xã An Minh", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        await h.Handover().ExportToFolderAsync(new HandoverRequest { FondsCode = "P-C", ReceivingAgencyId = ReorgFixture.D, SealCertificate = cert }, bag, ArchiveHarness.User, cancellationToken: ct);

        var wrongAgency = await h.Handover().ReceiveAsync(bag, new HandoverReceipt { ReceivingAgencyId = ReorgFixture.A, ExpectedSigner = cert }, ArchiveHarness.User, ct);
        Assert.False(wrongAgency.Accepted);
        var accepted = await h.Handover().ReceiveAsync(bag, new HandoverReceipt { ReceivingAgencyId = ReorgFixture.D, ExpectedSigner = cert }, ArchiveHarness.User, ct);
        Assert.True(accepted.Accepted);

        var log = h.Services.GetRequiredService<IAuditLog>();
        var export = Assert.Single((await log.QueryAsync(new AuditQuery { Action = AuditActions.Export }, ct)).Records);
        Assert.Equal((AuditOutcome.Success, "P-C", ArchiveHarness.User.Name), (export.Event.Outcome, export.Event.ObjectId, export.Event.Actor));
        var imports = (await log.QueryAsync(new AuditQuery { Action = AuditActions.Import }, ct)).Records;
        Assert.Equal([AuditOutcome.Failure, AuditOutcome.Success], imports.Select(r => r.Event.Outcome)); // oldest first
        Assert.StartsWith("Rejected: ", imports[0].Event.Detail, StringComparison.Ordinal);
        Assert.Contains(ReorgFixture.A, imports[0].Event.Detail, StringComparison.Ordinal);
    }
}
