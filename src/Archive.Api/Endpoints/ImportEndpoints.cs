using Archive.Api.Contracts;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Archive.Api.Mapping;
using Archive.Api.Security;
using Archive.Hosting;
using Archive.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Archive.Api.Endpoints;

/// <summary>
/// Uploads of several parts in one request and one package version: <c>POST /record-files/import</c>, a whole record
/// file (<see cref="RecordFileService.ImportAsync"/>), and <c>POST /record-files/{fileCode}/documents/upload</c>, one
/// document with its content files. The body is <c>multipart/form-data</c>: first a JSON part (<c>manifest</c>,
/// <see cref="RecordFileImportRequest"/>; <c>document</c>, <see cref="DocumentImportRequest"/>), then one part per
/// content file, named as the JSON says (<see cref="MultipartManifest{T}"/>).
/// </summary>
internal static class ImportEndpoints
{
    private const string ManifestPart = "manifest";
    private const string DocumentPart = "document";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/record-files/import", Import).WithTags("Record files").WithName("ImportRecordFile").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("Import a whole record file (documents and content files) as one version")
            .WithDescription("multipart/form-data: first a part named 'manifest' (application/json: { file, documents: [{ document, contents: [{ part, fileName, mediaType?, sha256? }] }] }), "
                + "then one part per content file, its form name = contents[].part. Every rule is checked (all broken rules reported, fields named "
                + "documents[i].contents[j].fileName etc.) before anything is stored; each part may be up to Archive:MaxUploadBytes, and a part the "
                + "manifest does not name is refused (400 import.part-unused) as soon as it arrives.")
            .Accepts<RecordFileImportRequest>("multipart/form-data", "*/*").WithMetadata(new MultipartManifestMetadata(ManifestPart))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        routes.MapPost("/record-files/{fileCode}/documents/upload", FileDocument).WithTags("Record files").WithName("AddDocumentWithContent").WithETag().RequireAuthorization(ArchivePolicies.Write)
            .WithSummary("File a document (văn bản) with its content files in one request and one version (If-Match optional)")
            .WithDescription("multipart/form-data: first a part named 'document' (application/json: { document, contents: [{ part, fileName, mediaType?, sha256? }] }), "
                + "then one part per content file, its form name = contents[].part. What POST .../documents followed by PUT .../contents/{fileName} per file does in "
                + "1 + n versions, in one: every rule of both is checked (document fields by their own names, content files as contents[j].fileName etc.) before "
                + "anything is stored. Location names the new document.")
            .Accepts<DocumentImportRequest>("multipart/form-data", "*/*").WithMetadata(new MultipartManifestMetadata(DocumentPart))
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<Created<RecordFileDto>> Import([FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, IOptions<ArchiveOptions> archiveOptions, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var options = archiveOptions.Value;
        await using var body = await MultipartManifest<RecordFileImportRequest>.ReadAsync(
            http,
            ManifestPart,
            m => (m.Documents ?? []).SelectMany(d => d?.Contents ?? []).Select(c => c?.Part),
            m => ArchiveScope.RequireChangeAsync(http, m.File?.FondsCode ?? string.Empty, "fonds", m.File?.FondsCode ?? string.Empty, cancellationToken).AsTask(),
            options.ResolveTempPath(),
            options.MaxUploadBytes,
            cancellationToken).ConfigureAwait(false);
        var manifest = body.Manifest;
        var documents = new List<DocumentImport>();
        var errors = new List<ValidationError>();
        var docsIn = manifest.Documents ?? [];
        for (var i = 0; i < docsIn.Count; i++)
        {
            var contents = body.Contents(docsIn[i]?.Contents, $"documents[{i}].contents", errors);
            documents.Add(new DocumentImport { Document = docsIn[i]?.Document is { } d ? mapper.Map<DocumentInput>(d) : null!, Contents = contents });
        }

        if (manifest.File is null)
        {
            errors.Add(new("file", "import.file-required", "The manifest needs the record file's elements ('file')."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        try
        {
            var result = await files.ImportAsync(new RecordFileImport { File = RecordFileEndpoints.ToInput(manifest.File!, mapper), Documents = documents }, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
            ETags.SetVersion(http.Response, result.Stored.Version);
            return TypedResults.Created(Links.Sibling(http, result.Stored.Value.FileCode), await RecordFileEndpoints.ToDtoAsync(files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false));
        }
        catch (ArchiveConflictException ex) when (ex.Rule == ConflictRules.AlreadyExists && ex.Entity == "record-file")
        {
            await ArchiveScope.AuditCodeCollisionAsync(http, ex.Id, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <c>POST /record-files/{fileCode}/documents/upload</c>: one document with its content files, one version
    /// (<see cref="RecordFileService.AddDocumentAsync(string, DocumentImport, int?, ArchiveUser, CancellationToken)"/>).
    /// </summary>
    private static async Task<Created<RecordFileDto>> FileDocument(string fileCode, [FromQuery] string? wait, [FromQuery] int? timeoutMs, HttpContext http, RecordFileService files, ArchiveApiMapper mapper, IOptions<ArchiveOptions> archiveOptions, CancellationToken cancellationToken)
    {
        var waitFor = ProjectionWait.Parse(wait, timeoutMs);
        var options = archiveOptions.Value;
        var expected = ETags.ExpectedVersion(http.Request, required: false);
        await using var body = await MultipartManifest<DocumentImportRequest>.ReadAsync(
            http,
            DocumentPart,
            m => (m.Contents ?? []).Select(c => c?.Part),
            async _ => await ArchiveScope.ChangeableAsync(http, await files.GetAsync(fileCode, cancellationToken).ConfigureAwait(false), fileCode, cancellationToken).ConfigureAwait(false),
            options.ResolveTempPath(),
            options.MaxUploadBytes,
            cancellationToken).ConfigureAwait(false);
        var errors = new List<ValidationError>();
        if (body.Manifest.Document is null)
        {
            errors.Add(new("document", "document.required", "Give the document's elements."));
        }

        var contents = body.Contents(body.Manifest.Contents, "contents", errors);
        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        var input = mapper.Map<DocumentInput>(body.Manifest.Document!);
        var result = await files.AddDocumentAsync(fileCode, new DocumentImport { Document = input, Contents = contents }, expected, RequestContext.User(http), cancellationToken).ConfigureAwait(false);
        ETags.SetVersion(http.Response, result.Stored.Version);
        var ordinal = input.DocOrdinal ?? result.Stored.Value.Documents.Max(d => d.DocOrdinal);
        return TypedResults.Created(Links.Sibling(http, ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)), await RecordFileEndpoints.ToDtoAsync(files, result, mapper, waitFor, cancellationToken).ConfigureAwait(false));
    }
}
