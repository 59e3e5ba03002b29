using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Backup;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>Backups of the system of record while the server runs (issue #18 item 5): jobs with progress, administrators only.</summary>
internal static class BackupEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/backups").WithTags("Backup").RequireAuthorization(ArchivePolicies.Admin);
        group.MapPost("/", Start).WithName("StartBackup")
            .WithSummary("Start an online backup of the system of record (full, or incremental on a completed set) into the server's backup folder")
            .WithDescription("Body: {} for a full backup, {\"incrementalFrom\": SET} for an incremental one. Answers 202 with the job; poll GET /backups/{id} until state is completed (or failed). The set (a folder named by the id under "
                + "Archive:Backup:Path) holds every record file, registry, decision and the audit trail as of the backup, each record file at one committed "
                + "version, with a manifest carrying its SHA-256 and, when the server has a seal certificate, its seal; the search index is not in it (rebuilt "
                + "after a restore). Verify and restore it with the CLI: backup verify SET, backup restore SET --data DIR. 409 backup.not-configured without "
                + "Archive:Backup:Path; 422 incrementalFrom backup.base-not-found for an unknown set. Administrators only; audited (backup.create).")
            .AcceptsJson<StartBackupRequest>()
            .Produces<BackupJobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", List).WithName("ListBackups")
            .WithSummary("The backup jobs, newest first (at most 100)");
        group.MapGet("/{backupId}", Get).WithName("GetBackup")
            .WithSummary("A backup job: state, progress, and what the completed set holds")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Accepted<BackupJobDto>> Start(HttpContext http, BackupJobService jobs, CancellationToken cancellationToken)
    {
        var body = http.Request.ContentLength is 0 || (http.Request.ContentLength is null && string.IsNullOrEmpty(http.Request.ContentType))
            ? new StartBackupRequest()
            : await JsonBody.ReadAsync<StartBackupRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var job = await jobs.StartAsync(body.IncrementalFrom, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(Links.Child(http, job.Id), ToDto(job));
    }

    private static async Task<Ok<List<BackupJobDto>>> List(BackupJobService jobs, CancellationToken cancellationToken)
        => TypedResults.Ok((await jobs.ListAsync(100, cancellationToken).ConfigureAwait(false)).Select(ToDto).ToList());

    private static async Task<Ok<BackupJobDto>> Get(string backupId, BackupJobService jobs, CancellationToken cancellationToken)
        => TypedResults.Ok(ToDto(await jobs.GetAsync(backupId, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("backup", backupId)));

    private static BackupJobDto ToDto(BackupJob job) => new()
    {
        Id = job.Id,
        Kind = job.Kind == BackupKind.Full ? "full" : "incremental",
        IncrementalFrom = job.IncrementalFrom,
        State = job.State.ToString().ToLowerInvariant(),
        RequestedBy = job.RequestedBy,
        CreatedAt = job.CreatedAt,
        UpdatedAt = job.UpdatedAt,
        CompletedAt = job.CompletedAt,
        Progress = job.Progress is { } p ? new BackupProgressDto { Phase = p.Phase, Objects = p.Objects, Files = p.Files, Bytes = p.Bytes, FilesStored = p.FilesStored } : null,
        Files = job.Manifest?.Files,
        Bytes = job.Manifest?.Bytes,
        AuditSequence = job.Manifest?.AuditSequence,
        ManifestSha256 = job.ManifestSha256,
        Sealed = job.Sealed,
        EngineVersion = job.Manifest?.EngineVersion,
        Error = job.Error,
    };
}
