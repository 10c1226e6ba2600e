; Inno Setup script for dialer-gui (see packaging/README.md).
; Build the one-folder app first (pyinstaller packaging/dialer-gui.spec on Windows), then:
;   iscc packaging\windows\dialer-gui.iss
; The registry entries mirror dialer_gui/platform/windows.py: registry_entries();
; tests/test_platform_windows.py keeps the two in step.

#define AppName "dialer-gui"
#define AppVersion "0.1.0"
#define ProgId "dialer-gui.tel"
#define Caps "Software\dialer-gui\Capabilities"

[Setup]
AppId={{6E0C2A57-9D8B-4C39-9A7E-3F1D2B8C4A10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=dialer-gui
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install: no administrator rights, everything under HKCU.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
OutputDir=..\..\build\installer
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
UninstallDisplayIcon={app}\{#AppName}.exe

[Files]
Source: "..\..\build\dist\dialer-gui\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\{#AppName}.exe"

[Tasks]
Name: "autostart"; Description: "Start dialer-gui when I log in"; Flags: unchecked

[Registry]
; The ProgID that opens phone links: "<exe>" --link "%1" (the link can never become an option).
Root: HKCU; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "URL:Phone link (dialer-gui)"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKCU; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "FriendlyTypeName"; ValueData: "Phone link"
Root: HKCU; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppName}.exe"",0"
Root: HKCU; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppName}.exe"" --link ""%1"""
; Capabilities, so dialer-gui is offered in Settings > Default apps.
Root: HKCU; Subkey: "{#Caps}"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKCU; Subkey: "{#Caps}"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Dial tel:, callto: and sip: links through your phone system."
Root: HKCU; Subkey: "{#Caps}\URLAssociations"; ValueType: string; ValueName: "tel"; ValueData: "{#ProgId}"
Root: HKCU; Subkey: "{#Caps}\URLAssociations"; ValueType: string; ValueName: "callto"; ValueData: "{#ProgId}"
Root: HKCU; Subkey: "{#Caps}\URLAssociations"; ValueType: string; ValueName: "sip"; ValueData: "{#ProgId}"
Root: HKCU; Subkey: "{#Caps}\URLAssociations"; ValueType: string; ValueName: "sips"; ValueData: "{#ProgId}"
Root: HKCU; Subkey: "Software\dialer-gui"; Flags: uninsdeletekeyifempty
Root: HKCU; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "{#AppName}"; ValueData: "{#Caps}"; Flags: uninsdeletevalue
; Optional start at login, hidden in the tray.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppName}.exe"" --background"; Flags: uninsdeletevalue; Tasks: autostart

[Run]
Filename: "ms-settings:defaultapps"; Description: "Choose dialer-gui for phone links in Settings"; Flags: postinstall shellexec skipifsilent nowait unchecked
