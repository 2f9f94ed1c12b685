; Inno Setup 6 script for norepi-gui. packaging/build.py runs it on Windows after PyInstaller:
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=dist\norepi-gui /DOutputDir=dist
;            /DOutputBase=norepi-gui-0.1.0-windows-x86_64-setup /DIconFile=build\icons\norepi-gui.ico norepi-gui.iss
; The version always comes from the package metadata through build.py; the defaults below only let the script be
; opened in the Inno Setup IDE.
;
; Installs per machine (Program Files, asks for elevation) or, when the user picks "only for me" or runs the setup
; with /CURRENTUSER, per user without administrator rights (students' laptops). Silent install for IT:
;   norepi-gui-<version>-windows-x86_64-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART [/ALLUSERS | /CURRENTUSER]

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\norepi-gui"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef OutputBase
  #define OutputBase "norepi-gui-" + AppVersion + "-windows-x86_64-setup"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\icons\norepi-gui.ico"
#endif

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it.
AppId={{D5FD2A8D-C8B8-4968-A232-48B8033B065B}
AppName=norepi-gui
AppVersion={#AppVersion}
AppVerName=norepi-gui {#AppVersion}
AppComments=Norepinephrine titration assistant and training simulator. Decision support and training; not a certified medical device.
VersionInfoVersion={#AppVersion}
VersionInfoProductName=norepi-gui
DefaultDirName={autopf}\norepi-gui
DefaultGroupName=norepi-gui
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename={#OutputBase}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\norepi-gui.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: norepi-gui.exe (windowed), norepi-gui-cli.exe (console: --self-test, calc,
; simulate) and _internal\. An upgrade first removes the old _internal so no stale library survives.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\norepi-gui"; Filename: "{app}\norepi-gui.exe"; Comment: "Norepinephrine titration assistant and training simulator"
Name: "{autodesktop}\norepi-gui"; Filename: "{app}\norepi-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\norepi-gui.exe"; Description: "{cm:LaunchProgram,norepi-gui}"; Flags: nowait postinstall skipifsilent
