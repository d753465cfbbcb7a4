; Inno Setup 6 script (UTF-8 with BOM, for the Arabic and French texts): the
; Windows installer for Shelter.
; Build on Windows after `make bundle` (or the PyInstaller command in
; installer/README.md) has produced dist\Shelter\:
;     iscc installer\windows\shelter.iss
; Output: dist\Shelter-<version>-setup.exe

; The version is read from the executable's own metadata, which the
; PyInstaller spec writes from shelter/__init__.py: one place for it.
#define AppExe "Shelter.exe"
#define BundleDir AddBackslash(SourcePath) + "..\..\dist\Shelter"
#if !FileExists(BundleDir + "\" + AppExe)
  #error dist\Shelter\Shelter.exe is missing: build the bundle first (installer\README.md)
#endif
; AppVersion is the text shown to people ("0.1.0"); VersionNumbers the four
; numbers Windows compares ("0.1.0.0").
#define AppVersion GetStringFileInfo(BundleDir + "\" + AppExe, "ProductVersion")
#define VersionNumbers GetVersionNumbersString(BundleDir + "\" + AppExe)
#if AppVersion == ""
  #error Shelter.exe carries no version: build it with installer\shelter.spec
#endif
; Arabic wizard pages come from the community translation Arabic.isl (not
; shipped with every Inno Setup release): used when it is installed.
#define HaveArabic FileExists(AddBackslash(CompilerPath) + "Languages\Arabic.isl")

[Setup]
; A fixed AppId ties upgrades and the uninstaller to this product. Never change it.
AppId={{6F0E3C1A-5B7D-4C55-9A61-2E0D6C1B7A43}
AppName=Shelter
AppVersion={#AppVersion}
AppVerName=Shelter {#AppVersion}
AppPublisher=Shelter project
VersionInfoVersion={#VersionNumbers}
VersionInfoProductName=Shelter
; Per machine: one installation in Program Files for every account on the
; workstation; the records stay in each user's own data folder.
PrivilegesRequired=admin
DefaultDirName={autopf}\Shelter
DefaultGroupName=Shelter
DisableProgramGroupPage=yes
; Qt 6 needs Windows 10 1809 or later; older systems get a clear message
; from Setup instead of a program that does not start.
MinVersion=10.0.17763
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE
SetupIconFile=shelter.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName=Shelter {#AppVersion}
OutputDir=..\..\dist
OutputBaseFilename=Shelter-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Shelter must not be running while its files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"
#if HaveArabic
Name: "arabic"; MessagesFile: "compiler:Languages\Arabic.isl"
#endif

[CustomMessages]
english.RemoveData=Also delete the shelter's records stored for this Windows account?%n%nThis cannot be undone. Choose No unless the records have been moved to another computer or are no longer needed.
french.RemoveData=Supprimer aussi les dossiers du centre enregistrés pour ce compte Windows ?%n%nC'est irréversible. Choisissez Non sauf si les dossiers ont été transférés sur un autre ordinateur ou ne sont plus nécessaires.
#if HaveArabic
arabic.RemoveData=هل تريد أيضًا حذف ملفات المركز المحفوظة لحساب ويندوز هذا؟%n%nلا يمكن التراجع عن ذلك. اختر «لا» ما لم تُنقل الملفات إلى حاسوب آخر أو لم تعد لازمة.
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: a library the new version no longer
; ships must not linger and be loaded. Only program files live here; the
; records are in the user's data folder.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Shelter"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,Shelter}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Shelter"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,Shelter}"; Flags: nowait postinstall skipifsilent

[Code]
{ The records live in %LOCALAPPDATA%\Shelter (platformdirs' user data folder
  for "Shelter"). They are kept unless the person explicitly asks, and never
  in a silent uninstall. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\Shelter');
    if DirExists(DataDir) and not UninstallSilent then
      if MsgBox(CustomMessage('RemoveData'), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir, True, True, True);
  end;
end;
