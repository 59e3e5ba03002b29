using System.Runtime.CompilerServices;
using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Security;
using Archive.Migration;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Archive.Api.Endpoints;

/// <summary>
/// Bulk migration from e-office exports (issue #19 item 2): HTTP onto <see cref="MigrationService"/>, which holds every
/// rule (who may start what, which fonds a row may go into, who sees a job).
/// </summary>
internal static class MigrationEndpoints
{
    private const string Formats = "The export holds manifest.csv or manifest.json at its top and the content files it names (paths relative to the top, "
        + "with '/'); formats in docs/api.md#bulk-migration. Each record file is imported whole in one version or not at all: a record file with a bad row "
        + "is not imported, every bad row is in the error report (row, fileCode, field, rule, Vietnamese message), and the rest goes on. A record file "
        + "already in the archive with the same content is skipped; one with the same code and other content is reported, never overwritten. A link, "
        + "device, absolute or '..' entry in a ZIP or tar refuses the export as a whole (state failed, nothing imported). Each row goes only into a fonds "
        + "the caller may change. The job resumes after a restart from its last checkpoint. Poll GET /migrations/{migrationId}.";

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/migrations").WithTags("Migration");
        group.MapPost("/", Upload).WithName("StartMigration").RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Import an e-office export (ZIP, tar or .tar.gz, streamed as the request body) as a resumable migration job")
            .WithDescription(Formats + " The body is the archive itself (application/zip, application/x-tar, application/gzip or application/octet-stream; "
                + "the kind is read from its first bytes), at most Archive:Migration:MaxUploadBytes; name = a label for the job. Answers 202 with the job. "
                + "422 content migration.source-unsupported for anything else.")
            .Accepts<Stream>("application/zip", "application/x-tar", "application/gzip", "application/octet-stream", "*/*")
            .Produces<MigrationJobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapPost("/folder", Folder).WithName("StartFolderMigration").RequireAuthorization(ArchivePolicies.Admin)
            .WithSummary("Import an export folder under the server's import folder (Archive:Migration:ImportRoot) as a migration job; administrators")
            .WithDescription(Formats + " 422 folder migration.folder-disabled when no import folder is configured, migration.folder-outside for a path "
                + "that is absolute, climbs out ('..'), goes through a link or does not exist.")
            .AcceptsJson<StartFolderMigrationRequest>()
            .Produces<MigrationJobDto>(StatusCodes.Status202Accepted);
        group.MapGet("/", List).WithName("ListMigrations").RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("The migration jobs the caller started (administrators: all), newest first, at most 100");
        group.MapGet("/{migrationId}", Get).WithName("GetMigration").RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("A migration job: state and progress (rows, record files, documents done, skipped, failed), readable while it runs")
            .WithDescription("Seen by the user who started it and by administrators; 404 for anyone else.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{migrationId}/errors", Errors).WithName("GetMigrationErrors").RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("The error report of a migration job as JSON: one line per bad row (row, fileCode, field, rule, Vietnamese message), in the order found")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{migrationId}/errors.csv", ErrorsCsv).WithName("GetMigrationErrorsCsv").RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("The error report of a migration job as CSV (UTF-8 with BOM, for a spreadsheet): row, fileCode, field, rule, message")
            .Produces<Stream>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Accepted<MigrationJobDto>> Upload([FromQuery] string? name, HttpContext http, MigrationService migrations, Microsoft.Extensions.Options.IOptions<MigrationOptions> options, CancellationToken cancellationToken)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null; // the engine stops reading at Archive:Migration:MaxUploadBytes
        }

        if (http.Request.ContentLength is { } length && length > options.Value.MaxUploadBytes)
        {
            throw new ContentTooLargeException("content", options.Value.MaxUploadBytes);
        }

        var job = await migrations.StartUploadAsync(http.Request.Body, name, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(Links.Child(http, job.Id), ToDto(job));
    }

    private static async Task<Accepted<MigrationJobDto>> Folder(HttpContext http, MigrationService migrations, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<StartFolderMigrationRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.Folder))
        {
            throw new ArchiveValidationException("folder", "required", "Name the export folder (folder), relative to the import folder.");
        }

        var job = await migrations.StartFolderAsync(body.Folder, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted(Links.Sibling(http, job.Id), ToDto(job));
    }

    private static async Task<Ok<List<MigrationJobDto>>> List(HttpContext http, MigrationService migrations, CancellationToken cancellationToken)
        => TypedResults.Ok((await migrations.ListAsync(HttpCaller.Of(http), 100, cancellationToken).ConfigureAwait(false)).Select(ToDto).ToList());

    private static async Task<Ok<MigrationJobDto>> Get(string migrationId, HttpContext http, MigrationService migrations, CancellationToken cancellationToken)
        => TypedResults.Ok(ToDto(await migrations.GetAsync(migrationId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("migration", migrationId)));

    private static async Task<Ok<IAsyncEnumerable<MigrationRowErrorDto>>> Errors(string migrationId, HttpContext http, MigrationService migrations, CancellationToken cancellationToken)
    {
        var errors = await migrations.GetErrorsAsync(migrationId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("migration", migrationId);
        return TypedResults.Ok(Dtos(errors, cancellationToken));
    }

    private static async Task<PushStreamHttpResult> ErrorsCsv(string migrationId, HttpContext http, MigrationService migrations, CancellationToken cancellationToken)
    {
        var errors = await migrations.GetErrorsAsync(migrationId, HttpCaller.Of(http), cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("migration", migrationId);
        return TypedResults.Stream(body => MigrationService.WriteCsvAsync(errors, body, cancellationToken), "text/csv; charset=utf-8", $"migration-{migrationId}-errors.csv");
    }

    private static async IAsyncEnumerable<MigrationRowErrorDto> Dtos(IAsyncEnumerable<MigrationRowError> errors, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in errors.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new MigrationRowErrorDto { Row = e.Row, FileCode = e.FileCode, Field = e.Field, Rule = e.Rule, Message = e.Message, Detail = e.Detail };
        }
    }

    private static MigrationJobDto ToDto(MigrationJob job) => new()
    {
        Id = job.Id,
        Source = job.Source.ToString().ToLowerInvariant(),
        SourceName = job.SourceName,
        State = job.State.ToString().ToLowerInvariant(),
        RequestedBy = job.RequestedBy,
        CreatedAt = job.CreatedAt,
        UpdatedAt = job.UpdatedAt,
        CompletedAt = job.CompletedAt,
        Checkpoint = job.Checkpoint,
        Error = job.Error,
        Progress = new MigrationProgressDto
        {
            Phase = job.Progress.Phase,
            RowsTotal = job.Progress.RowsTotal,
            RowsDone = job.Progress.RowsDone,
            RowsFailed = job.Progress.RowsFailed,
            RecordFilesTotal = job.Progress.RecordFilesTotal,
            RecordFilesImported = job.Progress.RecordFilesImported,
            RecordFilesSkipped = job.Progress.RecordFilesSkipped,
            RecordFilesFailed = job.Progress.RecordFilesFailed,
            DocumentsImported = job.Progress.DocumentsImported,
            DocumentsSkipped = job.Progress.DocumentsSkipped,
            DocumentsFailed = job.Progress.DocumentsFailed,
        },
    };
}

/// <summary>Renders the engine's rules in the clerk's language with the problem catalogue (the migration error report).</summary>
internal sealed class ProblemCatalogueLocalizer : IRuleMessageLocalizer
{
    public string Localize(ValidationError error, string language)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ProblemCatalogue.Render(new FieldError { Field = error.Field, Rule = error.Rule, Message = error.Message }, language);
    }
}
