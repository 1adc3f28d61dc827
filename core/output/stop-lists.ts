// LLM Guard's default stop lists (protectai/llm-guard, llm_guard/resources/*_stop_substrings.json,
// MIT license): requests for malware and the standard anti-virus/anti-spam test signatures.

export const PROMPT_STOP_SUBSTRINGS = [
  'arbitrary code execution', 'a backdoor', 'code injection', 'cross-site scripting', 'email spoofing',
  'a keylogger', 'privilege escalation', 'a rootkit', 'a bootkit', 'screen scraping',
  'corrupting a disk partition', 'cryptojacking', 'a botnet', 'adware', 'ransomware',
  'Windows\\System32\\Config\\SAM', 'etc/shadow', 'escalate privilege', 'read the encrypted system password file',
  'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*',
  'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
  'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTPHISH-STANDARD-ANTI-PHISH-TEST-EMAIL*C.34X',
];

// LLM Guard's output list without "DAN:", "STAN:", "DUDE:" and "ANTI-DAN:": matched case-insensitively
// inside words they would stop answers that mention "Jordan:" or "Afghanistan:".
export const OUTPUT_STOP_SUBSTRINGS = [
  '[DAN]', 'DAN Mode enabled', '[🔓JAILBREAK]', 'successfully jailbroken', '(🔓Developer Mode Output)', '![http',
  ...PROMPT_STOP_SUBSTRINGS.slice(-3),
];
